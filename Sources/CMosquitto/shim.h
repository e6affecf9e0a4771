#ifndef LOCKBRIDGE_CMOSQUITTO_SHIM_H
#define LOCKBRIDGE_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <mqtt_protocol.h>
#endif
