#ifndef LOCKBRIDGE_CJSONC_SHIM_H
#define LOCKBRIDGE_CJSONC_SHIM_H
#include <json-c/json.h>
#endif
