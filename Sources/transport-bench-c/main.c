// Baseline for `make bench-transport`: the same measurements as the Swift client's, made with
// plain libmosquitto in C, on the same broker. Prints one line of JSON.
//
// usage: transport-bench-c PORT TOPIC-PREFIX RTT-ROUNDS THROUGHPUT-MESSAGES
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char ping_topic[256], pong_topic[256], flood_topic[256];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static long pongs = 0, flooded = 0, subscribed = 0;

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void bump(long *counter) {
    pthread_mutex_lock(&lock);
    (*counter)++;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static void wait_for(long *counter, long target) {
    pthread_mutex_lock(&lock);
    while (*counter < target) pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
}

static void on_subscribe(struct mosquitto *m, void *o, int mid, int n, const int *q, const mosquitto_property *p) {
    bump(&subscribed);
}

// The relay: answers every ping with a pong, as the bridge answers a command with a result.
static void relay_message(struct mosquitto *m, void *o, const struct mosquitto_message *msg, const mosquitto_property *p) {
    mosquitto_publish_v5(m, NULL, pong_topic, msg->payloadlen, msg->payload, 1, false, NULL);
}

static void client_message(struct mosquitto *m, void *o, const struct mosquitto_message *msg, const mosquitto_property *p) {
    if (strcmp(msg->topic, pong_topic) == 0) bump(&pongs);
    else bump(&flooded);
}

static struct mosquitto *make_client(const char *id, int port,
    void (*on_message)(struct mosquitto *, void *, const struct mosquitto_message *, const mosquitto_property *)) {
    struct mosquitto *m = mosquitto_new(id, true, NULL);
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_message_v5_callback_set(m, on_message);
    mosquitto_subscribe_v5_callback_set(m, on_subscribe);
    if (mosquitto_connect_bind_v5(m, "127.0.0.1", port, 30, NULL, NULL) != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "transport-bench-c: cannot connect to 127.0.0.1:%d\n", port);
        exit(1);
    }
    mosquitto_loop_start(m);
    return m;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: transport-bench-c PORT TOPIC-PREFIX RTT-ROUNDS THROUGHPUT-MESSAGES\n");
        return 2;
    }
    int port = atoi(argv[1]);
    long rounds = atol(argv[3]), messages = atol(argv[4]);
    snprintf(ping_topic, sizeof ping_topic, "%s/c/ping", argv[2]);
    snprintf(pong_topic, sizeof pong_topic, "%s/c/pong", argv[2]);
    snprintf(flood_topic, sizeof flood_topic, "%s/c/flood", argv[2]);
    mosquitto_lib_init();

    struct mosquitto *relay = make_client("bench-c-relay", port, relay_message);
    struct mosquitto *client = make_client("bench-c-client", port, client_message);
    mosquitto_subscribe_v5(relay, NULL, ping_topic, 1, 0, NULL);
    mosquitto_subscribe_v5(client, NULL, pong_topic, 1, 0, NULL);
    mosquitto_subscribe_v5(client, NULL, flood_topic, 1, 0, NULL);
    wait_for(&subscribed, 3);

    // Round trip: request -> relay -> response, one at a time, QoS 1 both ways.
    long warmup = rounds / 10;
    double *samples = calloc((size_t)rounds, sizeof(double));
    for (long i = 0; i < warmup + rounds; i++) {
        double start = now_us();
        mosquitto_publish_v5(client, NULL, ping_topic, 8, "ping-req", 1, false, NULL);
        wait_for(&pongs, i + 1);
        if (i >= warmup) samples[i - warmup] = now_us() - start;
    }
    qsort(samples, (size_t)rounds, sizeof(double), compare);
    double p50 = samples[rounds / 2], p99 = samples[(rounds * 99) / 100];

    // Pipelined QoS 1: publish everything as fast as the library takes it, until all arrive.
    double start = now_us();
    for (long i = 0; i < messages; i++) {
        mosquitto_publish_v5(client, NULL, flood_topic, 16, "0123456789abcdef", 1, false, NULL);
    }
    wait_for(&flooded, messages);
    double seconds = (now_us() - start) / 1e6;

    printf("{\"rtt_p50_us\":%.1f,\"rtt_p99_us\":%.1f,\"throughput\":%.0f}\n", p50, p99, messages / seconds);
    fflush(stdout);
    mosquitto_disconnect(relay);
    mosquitto_disconnect(client);
    mosquitto_loop_stop(relay, false);
    mosquitto_loop_stop(client, false);
    mosquitto_destroy(relay);
    mosquitto_destroy(client);
    mosquitto_lib_cleanup();
    free(samples);
    return 0;
}
