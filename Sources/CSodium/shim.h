#ifndef WARD_CSODIUM_SHIM_H
#define WARD_CSODIUM_SHIM_H
#include <sodium.h>
#endif
