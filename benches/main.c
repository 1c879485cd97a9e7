/* rsipc_bench: rsipc against glibc, side by side, in one run.
 *
 *   rsipc_bench [--quick | --full] [--markdown PATH] [--csv PATH]
 *               [--reps N] [--scale X] [--filter TEXT] [--no-pin] [--aa] [--list]
 *
 * See README.md in this folder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#ifndef RSIPC_BENCH_OUT_DIR
#define RSIPC_BENCH_OUT_DIR "benches/out"
#endif

#define BENCH_ENTRY(id) extern const bench_group bench_group_##id;
#include "registry.h"
#undef BENCH_ENTRY

#define BENCH_ENTRY(id) &bench_group_##id,
static const bench_group *const groups[] = {
#include "registry.h"
};
#undef BENCH_ENTRY

static void usage(FILE *f) {
    fprintf(f,
            "usage: rsipc_bench [--quick | --full] [--markdown PATH] [--csv PATH]\n"
            "                   [--reps N] [--scale X] [--filter TEXT] [--no-pin] [--aa] [--list]\n"
            "  --quick          small counts, 5 repetitions (the default; under 15 s)\n"
            "  --full           full counts, 21 short repetitions (under 2 minutes)\n"
            "  --markdown PATH  Markdown report (default " RSIPC_BENCH_OUT_DIR "/report.md)\n"
            "  --csv PATH       CSV report (default " RSIPC_BENCH_OUT_DIR "/report.csv)\n"
            "  --reps N         repetitions per variant instead of the mode's\n"
            "  --scale X        multiply every count by X (e.g. 0.01 for a smoke run)\n"
            "  --filter TEXT    only the rows whose \"mechanism: workload\" contains TEXT\n"
            "  --no-pin         leave the processes where the scheduler puts them\n"
            "  --aa             A/A calibration: run glibc in both columns (the ratios show the noise)\n"
            "  --list           print the rows and exit\n");
}

static const char *need_value(int argc, char **argv, int *i) {
    if (*i + 1 >= argc) {
        fprintf(stderr, "rsipc_bench: %s needs a value\n", argv[*i]);
        usage(stderr);
        exit(2);
    }
    return argv[++*i];
}

int main(int argc, char **argv) {
    bench_options opt = {0, 0, 1.0, 1, 0, NULL, RSIPC_BENCH_OUT_DIR "/report.md", RSIPC_BENCH_OUT_DIR "/report.csv"};
    size_t ngroups = sizeof groups / sizeof groups[0];
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--quick") == 0) {
            opt.full = 0;
        } else if (strcmp(arg, "--full") == 0) {
            opt.full = 1;
        } else if (strcmp(arg, "--markdown") == 0) {
            opt.markdown = need_value(argc, argv, &i);
        } else if (strcmp(arg, "--csv") == 0) {
            opt.csv = need_value(argc, argv, &i);
        } else if (strcmp(arg, "--reps") == 0) {
            opt.reps = atoi(need_value(argc, argv, &i));
            if (opt.reps < 1) {
                fprintf(stderr, "rsipc_bench: --reps needs a positive number\n");
                return 2;
            }
        } else if (strcmp(arg, "--scale") == 0) {
            opt.scale = atof(need_value(argc, argv, &i));
            if (!(opt.scale > 0)) {
                fprintf(stderr, "rsipc_bench: --scale needs a positive number\n");
                return 2;
            }
        } else if (strcmp(arg, "--filter") == 0) {
            opt.filter = need_value(argc, argv, &i);
        } else if (strcmp(arg, "--no-pin") == 0) {
            opt.pin = 0;
        } else if (strcmp(arg, "--aa") == 0) {
            opt.aa = 1;
        } else if (strcmp(arg, "--list") == 0) {
            for (size_t g = 0; g < ngroups; g++)
                for (size_t r = 0; r < groups[g]->nrows; r++)
                    printf("%s: %s%s\n", groups[g]->name, groups[g]->rows[r].name,
                           groups[g]->rows[r].rsipc_fn ? "" : "  (hardware limit)");
            return 0;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "rsipc_bench: unknown argument %s\n", arg);
            usage(stderr);
            return 2;
        }
    }
    if (opt.reps == 0) opt.reps = opt.full ? 21 : 5;
    bench_init(&opt);
    return bench_run(&opt, groups, ngroups);
}
