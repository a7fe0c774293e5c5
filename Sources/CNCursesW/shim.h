#ifndef WARD_CNCURSESW_SHIM_H
#define WARD_CNCURSESW_SHIM_H
// SwiftPM drops ncursesw.pc's cflags; without these the wide-character API is not declared.
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// Macros Swift cannot import, as functions.
static inline int ward_key_resize(void) { return KEY_RESIZE; }
static inline int ward_key_code_yes(void) { return KEY_CODE_YES; }
static inline attr_t ward_attr_reverse(void) { return A_REVERSE; }
static inline attr_t ward_attr_bold(void) { return A_BOLD; }
static inline attr_t ward_attr_dim(void) { return A_DIM; }
static inline attr_t ward_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t ward_color_pair(int n) { return COLOR_PAIR(n); }
#endif
