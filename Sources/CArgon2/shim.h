#ifndef WARD_CARGON2_SHIM_H
#define WARD_CARGON2_SHIM_H
#include <argon2.h>
#endif
