/*
 * A minimal terminal loop on libposkernel (docs/embedding.md): the firmware's side of the kernel.
 *
 *   terminal DIR COMPONENT
 *
 * DIR is a terminal directory made by `posterm init` with its TMK loaded (`posterm keys
 * load-tmk`); COMPONENT the kernel component, pos_kernel.wasm, with its .cwasm for this machine
 * beside it (`posterm compile --target ...`). Each line on standard input is one kernel command as
 * JSON ("sign_on", {"sale":{"amount":1234,"card":{...}}}, "settle", ...); for each, one line on
 * standard output: the code (POS_APPROVED, POS_DECLINED, ...) and the outcome as JSON, or the
 * code and the error. At the end of input it prints the terminal's status and closes it.
 *
 * The chip card reader is this program's own (card_reader below): a real one hands the issuer's
 * data to the card and returns what the card answers. Keys and PINs stay in the PKCS#11 token
 * that config.toml names (or pass PosOptions.security: the vendor's secure element).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poskernel.h"

/* The card's second GENERATE AC: it accepts with a TC (9F27 = 40) and its cryptogram (9F26). */
static bool card_reader(void *context, uint32_t stan, const uint8_t *issuer_data, size_t issuer_length,
                        uint8_t *icc_data, size_t icc_capacity, size_t *icc_length) {
    static const uint8_t tc[] = {0x9F, 0x26, 0x08, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                                 0x9F, 0x27, 0x01, 0x40};
    unsigned *cards = context;
    (void)issuer_data;
    (void)issuer_length;
    if (icc_capacity < sizeof tc) {
        *icc_length = 0;
        return false;
    }
    memcpy(icc_data, tc, sizeof tc);
    *icc_length = sizeof tc;
    *cards += 1;
    fprintf(stderr, "card reader: second GENERATE AC for STAN %06u: TC\n", (unsigned)stan);
    return true;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s DIR COMPONENT (commands as JSON, one per line, on standard input)\n", argv[0]);
        return POS_USAGE;
    }
    fprintf(stderr, "%s\n", pos_version());

    unsigned cards = 0;
    PosOptions options = {0};
    options.component = argv[2];
    options.card_reader = card_reader;
    options.card_reader_context = &cards;

    PosTerminal *terminal = NULL;
    char *error = NULL;
    int code = pos_terminal_open(argv[1], &options, &terminal, &error);
    if (code != POS_APPROVED) {
        fprintf(stderr, "open: %d: %s\n", code, error);
        pos_string_free(error);
        return code;
    }

    /* A reversal left by a power cut goes before anything else. */
    code = pos_terminal_resume(terminal, &error);
    if (code != POS_APPROVED) {
        fprintf(stderr, "resume: %d: %s\n", code, error);
        pos_string_free(error);
        error = NULL;
    }

    char line[8192];
    while (fgets(line, sizeof line, stdin) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0') {
            continue;
        }
        char *outcome = NULL;
        code = pos_terminal_run(terminal, line, &outcome, &error);
        if (outcome != NULL) {
            printf("%d %s\n", code, outcome);
            pos_string_free(outcome);
        } else {
            printf("%d error: %s\n", code, error != NULL ? error : "");
            pos_string_free(error);
            error = NULL;
        }
        fflush(stdout);
    }

    char *status = NULL;
    code = pos_terminal_status(terminal, &status, &error);
    if (code == POS_APPROVED) {
        printf("status %s\n", status);
        pos_string_free(status);
    } else {
        fprintf(stderr, "status: %d: %s\n", code, error);
        pos_string_free(error);
    }
    fprintf(stderr, "card reader: %u chip card(s) answered\n", cards);
    pos_terminal_close(terminal);
    return 0;
}
