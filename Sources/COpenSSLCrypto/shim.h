#ifndef WARD_COPENSSLCRYPTO_SHIM_H
#define WARD_COPENSSLCRYPTO_SHIM_H
/* Only the low-level SHA-256 functions are used: they hash with a caller-owned context on the
   stack (no allocation per hash) and use the CPU's SHA extensions. OpenSSL 3 marks them
   deprecated in favour of EVP, whose per-call overhead is what Ward avoids here. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#endif
