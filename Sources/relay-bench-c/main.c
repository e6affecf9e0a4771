// Baseline for `make bench`: the least a bridge could do, in plain C on libmosquitto, so the
// bridge's figures have something to be compared with on the same broker in the same run.
//
//   <prefix>/<lock>/event   -> <base>/<lock>/event/access   (payload forwarded unchanged)
//   <base>/<lock>/set       -> <base>/<lock>/result         (answered at once: the command echoed)
//   <base>/<lock>/setdev    -> <prefix>/<lock>/cmd, signed like the bridge's commands; the
//                              lock's <prefix>/<lock>/ack -> <base>/<lock>/result
//
// Everything at QoS 1, answered inside the message callback. Prints "ready" once subscribed and
// runs until a signal ends it.
//
// usage: relay-bench-c PORT DEVICE-PREFIX BASE-TOPIC DEVICE-KEY-FILE
//        relay-bench-c --selftest      (checks the HMAC against RFC 4231)
#include "hmac_sha256.h"

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static const char *prefix, *base;
static size_t prefix_len, base_len;
static unsigned char key[256];
static int key_len = 0;
static unsigned long long counter = 0;
static int subscribed = 0;

// The lock id of "<head>/<lock>/<tail>", or 0 when the topic does not have that shape.
static int lock_of(const char *topic, const char *head, size_t head_len, const char *tail, char *out, size_t size) {
    if (strncmp(topic, head, head_len) != 0 || topic[head_len] != '/') return 0;
    const char *lock = topic + head_len + 1, *slash = strchr(lock, '/');
    if (!slash || strcmp(slash + 1, tail) != 0 || (size_t)(slash - lock) >= size) return 0;
    memcpy(out, lock, (size_t)(slash - lock));
    out[slash - lock] = 0;
    return 1;
}

static void publish(struct mosquitto *m, const char *topic, int len, const void *payload, mosquitto_property *props) {
    mosquitto_publish_v5(m, NULL, topic, len, payload, 1, false, props);
}

// The request id of a command payload, e.g. {"command":"refresh","request_id":"b1-7"}.
static int request_id(const char *payload, int len, char *out, size_t size) {
    char text[1024];
    if (len <= 0 || (size_t)len >= sizeof text) return 0;
    memcpy(text, payload, (size_t)len);
    text[len] = 0;
    const char *at = strstr(text, "\"request_id\"");
    if (!at || !(at = strchr(at + 12, '"'))) return 0;
    const char *end = strchr(++at, '"');
    if (!end || (size_t)(end - at) >= size) return 0;
    memcpy(out, at, (size_t)(end - at));
    out[end - at] = 0;
    return 1;
}

// What the bridge does before a lock acts: a device command, with the HMAC the lock checks.
static void send_device_command(struct mosquitto *m, const char *lock, const struct mosquitto_message *msg) {
    char id[256], payload[512], topic[512], mac_hex[65], signed_text[1024];
    if (!request_id(msg->payload, msg->payloadlen, id, sizeof id)) return;
    struct timeval now;
    gettimeofday(&now, NULL);
    unsigned long long micros = (unsigned long long)now.tv_sec * 1000000ull + (unsigned long long)now.tv_usec;
    counter = micros > counter ? micros : counter + 1;
    int n = snprintf(payload, sizeof payload, "{\"v\":2,\"request_id\":\"%s\",\"counter\":%llu,\"command\":\"refresh\"}", id, counter);
    size_t lock_len = strlen(lock);
    memcpy(signed_text, lock, lock_len);
    signed_text[lock_len] = 0;
    memcpy(signed_text + lock_len + 1, payload, (size_t)n);
    unsigned char mac[32];
    hmac_sha256(key, (size_t)key_len, (unsigned char *)signed_text, lock_len + 1 + (size_t)n, mac);
    for (int i = 0; i < 32; i++) sprintf(mac_hex + 2 * i, "%02x", mac[i]);
    mosquitto_property *props = NULL;
    mosquitto_property_add_string_pair(&props, MQTT_PROP_USER_PROPERTY, "mac", mac_hex);
    snprintf(topic, sizeof topic, "%s/%s/cmd", prefix, lock);
    publish(m, topic, n, payload, props);
    mosquitto_property_free_all(&props);
}

static void on_message(struct mosquitto *m, void *o, const struct mosquitto_message *msg, const mosquitto_property *p) {
    char lock[256], topic[512];
    if (lock_of(msg->topic, prefix, prefix_len, "event", lock, sizeof lock)) {
        snprintf(topic, sizeof topic, "%s/%s/event/access", base, lock);
        publish(m, topic, msg->payloadlen, msg->payload, NULL);
    } else if (lock_of(msg->topic, base, base_len, "set", lock, sizeof lock)) {
        snprintf(topic, sizeof topic, "%s/%s/result", base, lock);
        publish(m, topic, msg->payloadlen, msg->payload, NULL);
    } else if (lock_of(msg->topic, base, base_len, "setdev", lock, sizeof lock)) {
        send_device_command(m, lock, msg);
    } else if (lock_of(msg->topic, prefix, prefix_len, "ack", lock, sizeof lock)) {
        snprintf(topic, sizeof topic, "%s/%s/result", base, lock);
        publish(m, topic, msg->payloadlen, msg->payload, NULL);
    }
}

static void on_subscribe(struct mosquitto *m, void *o, int mid, int n, const int *q, const mosquitto_property *p) {
    if (++subscribed == 4) {
        printf("ready\n");
        fflush(stdout);
    }
}

static void on_connect(struct mosquitto *m, void *o, int rc, int flags, const mosquitto_property *p) {
    char filter[512];
    const char *filters[4][2] = {{prefix, "event"}, {base, "set"}, {base, "setdev"}, {prefix, "ack"}};
    for (int i = 0; i < 4; i++) {
        snprintf(filter, sizeof filter, "%s/+/%s", filters[i][0], filters[i][1]);
        mosquitto_subscribe_v5(m, NULL, filter, 1, 0, NULL);
    }
}

static int read_key(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char hex[1024];
    size_t n = fread(hex, 1, sizeof hex - 1, f);
    fclose(f);
    hex[n] = 0;
    for (size_t i = 0; i + 1 < n && key_len < (int)sizeof key; i += 2) {
        unsigned int byte;
        if (sscanf(hex + i, "%2x", &byte) != 1) break;
        key[key_len++] = (unsigned char)byte;
    }
    return key_len >= 32;
}

// RFC 4231 test case 2.
static int selftest(void) {
    const char *data = "what do ya want for nothing?";
    const char *want = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    unsigned char mac[32];
    char hex[65];
    hmac_sha256((const unsigned char *)"Jefe", 4, (const unsigned char *)data, strlen(data), mac);
    for (int i = 0; i < 32; i++) sprintf(hex + 2 * i, "%02x", mac[i]);
    printf("%s\n", strcmp(hex, want) == 0 ? "hmac ok" : "hmac WRONG");
    return strcmp(hex, want) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--selftest") == 0) return selftest();
    if (argc != 5) {
        fprintf(stderr, "usage: relay-bench-c PORT DEVICE-PREFIX BASE-TOPIC DEVICE-KEY-FILE\n");
        return 2;
    }
    prefix = argv[2];
    base = argv[3];
    prefix_len = strlen(prefix);
    base_len = strlen(base);
    if (!read_key(argv[4])) {
        fprintf(stderr, "relay-bench-c: cannot read a hex device key from %s\n", argv[4]);
        return 2;
    }
    mosquitto_lib_init();
    struct mosquitto *m = mosquitto_new(NULL, true, NULL);
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_message_v5_callback_set(m, on_message);
    mosquitto_subscribe_v5_callback_set(m, on_subscribe);
    mosquitto_connect_v5_callback_set(m, on_connect);
    if (mosquitto_connect_bind_v5(m, "127.0.0.1", atoi(argv[1]), 30, NULL, NULL) != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "relay-bench-c: cannot connect to 127.0.0.1:%s\n", argv[1]);
        return 1;
    }
    mosquitto_loop_forever(m, -1, 1);
    return 0;
}
