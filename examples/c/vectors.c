/*
 * The test vectors through libposkernel's kernel-alone API, in C: the bridge that
 * `posterm vectors --bridge` drives (its protocol: tools/src/bridge.rs). One request per line on
 * standard input, one answer per line on standard output:
 *
 *   open NOW COUNT CONFIG_JSON   (then COUNT lines of hex records)  ->  ok
 *   pin DIGITS                                                      ->  ok
 *   handle NOW INPUT_JSON                                           ->  ok
 *   poll                                                            ->  output OUTPUT_JSON | none
 *   reconcile REQUEST_JSON                                          ->  items ITEMS_JSON | refused MESSAGE
 *
 * and `error CODE MESSAGE` for any failure.
 *
 *   vectors COMPONENT
 *
 * Needs libposkernel built with the `test-keys` feature: the vectors are signed with the test TMK
 * (docs/profile.md section 6). A terminal's firmware passes PosKernelOptions.security instead.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The test-keys build's pos_kernel_test_enter_pin. */
#define POSKERNEL_TEST_KEYS
#include "poskernel.h"

static PosKernel *kernel = NULL;
static PosKernelOptions options;

/* Prints `prefix text` as one line (a message may hold line breaks), then frees the text. */
static void answer_line(const char *prefix, char *text) {
    for (char *c = text; c != NULL && *c != '\0'; c++) {
        if (*c == '\n' || *c == '\r') *c = ' ';
    }
    printf("%s %s\n", prefix, text != NULL ? text : "");
    pos_string_free(text);
}

static void answer_error(int code, char *error) {
    char prefix[32];
    snprintf(prefix, sizeof prefix, "error %d", code);
    answer_line(prefix, error);
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes the hex text of one record; NULL when it is not hex. */
static uint8_t *decode_hex(const char *text, size_t *length) {
    size_t digits = strcspn(text, "\r\n");
    if (digits % 2 != 0) return NULL;
    uint8_t *bytes = malloc(digits / 2 + 1);
    if (bytes == NULL) return NULL;
    for (size_t i = 0; i < digits / 2; i++) {
        int high = hex_value(text[2 * i]), low = hex_value(text[2 * i + 1]);
        if (high < 0 || low < 0) {
            free(bytes);
            return NULL;
        }
        bytes[i] = (uint8_t)(high << 4 | low);
    }
    *length = digits / 2;
    return bytes;
}

/* open NOW COUNT CONFIG_JSON, then COUNT lines of records. */
static void open_kernel(char *arguments, char **line, size_t *capacity) {
    char *rest = NULL;
    unsigned long long now = strtoull(arguments, &rest, 10);
    size_t count = (size_t)strtoull(rest, &rest, 10);
    const char *config = rest + strspn(rest, " ");
    PosRecord *records = calloc(count + 1, sizeof *records);
    char *config_copy = strdup(config);
    int ok = records != NULL && config_copy != NULL;
    for (size_t i = 0; i < count; i++) {
        if (getline(line, capacity, stdin) < 0) {
            ok = 0;
            break;
        }
        if (ok) {
            records[i].bytes = decode_hex(*line, &records[i].length);
            ok = records[i].bytes != NULL;
        }
    }
    if (!ok) {
        printf("error %d open: the records are missing or not hex\n", POS_USAGE);
    } else {
        pos_kernel_close(kernel);
        kernel = NULL;
        char *error = NULL;
        int code = pos_kernel_open(&options, config_copy, records, count, (uint64_t)now, &kernel, &error);
        if (code == POS_APPROVED) {
            printf("ok\n");
        } else {
            answer_error(code, error);
        }
    }
    if (records != NULL) {
        for (size_t i = 0; i < count; i++) free((void *)records[i].bytes);
    }
    free(records);
    free(config_copy);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s COMPONENT (driven by posterm vectors --bridge)\n", argv[0]);
        return POS_USAGE;
    }
    memset(&options, 0, sizeof options);
    options.component = argv[1];

    char *line = NULL;
    size_t capacity = 0;
    while (getline(&line, &capacity, stdin) >= 0) {
        line[strcspn(line, "\r\n")] = '\0';
        char *error = NULL;
        int code;
        if (strncmp(line, "open ", 5) == 0) {
            open_kernel(line + 5, &line, &capacity);
        } else if (strncmp(line, "pin ", 4) == 0) {
            code = pos_kernel_test_enter_pin(kernel, line + 4, &error);
            if (code == POS_APPROVED) printf("ok\n"); else answer_error(code, error);
        } else if (strncmp(line, "handle ", 7) == 0) {
            char *input = NULL;
            unsigned long long now = strtoull(line + 7, &input, 10);
            code = pos_kernel_handle(kernel, (uint64_t)now, input + strspn(input, " "), &error);
            if (code == POS_APPROVED) printf("ok\n"); else answer_error(code, error);
        } else if (strcmp(line, "poll") == 0) {
            char *output = NULL;
            code = pos_kernel_next_output(kernel, &output, &error);
            if (code != POS_APPROVED) {
                answer_error(code, error);
            } else if (output == NULL) {
                printf("none\n");
            } else {
                printf("output %s\n", output);
                pos_string_free(output);
            }
        } else if (strncmp(line, "reconcile ", 10) == 0) {
            char *items = NULL;
            code = pos_kernel_reconcile(kernel, line + 10, &items, &error);
            if (code == POS_APPROVED) {
                printf("items %s\n", items);
                pos_string_free(items);
            } else if (code == POS_FAILED) {
                answer_line("refused", error);
            } else {
                answer_error(code, error);
            }
        } else {
            printf("error %d unknown request: %.40s\n", POS_USAGE, line);
        }
        fflush(stdout);
    }
    free(line);
    pos_kernel_close(kernel);
    return 0;
}
