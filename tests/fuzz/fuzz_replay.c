/*
 * fuzz_replay.c -- run the fuzz target's code on files, without libFuzzer.
 *
 *   fuzz_replay FILE_OR_DIR...
 *
 * Each FILE (and each regular file directly inside a DIR, in name order) is
 * passed once to LLVMFuzzerTestOneInput(), as the fuzzer would.  Built in
 * every build and run by ctest over tests/fuzz/corpus and
 * tests/fuzz/regressions, so the seeds and every input that once crashed
 * redline run under the ASan/UBSan and TSan stages too.  Exit 0 when every
 * file ran (a crash ends the process), 2 when a file cannot be read or no
 * file was given.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_replay: %s: cannot open\n", path);
        return 0;
    }
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    int ok = 1;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                ok = 0;
                break;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f))
        ok = 0;
    fclose(f);
    if (ok) {
        fprintf(stderr, "fuzz_replay: %s (%zu bytes)\n", path, n);
        LLVMFuzzerTestOneInput(buf, n);
    } else {
        fprintf(stderr, "fuzz_replay: %s: cannot read\n", path);
    }
    free(buf);
    return ok;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: fuzz_replay FILE_OR_DIR...\n", stderr);
        return 2;
    }
    LLVMFuzzerInitialize(&argc, &argv);
    size_t runs = 0;
    int ok = 1;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) != 0) {
            fprintf(stderr, "fuzz_replay: %s: no such file or directory\n", argv[i]);
            ok = 0;
            continue;
        }
        if (!S_ISDIR(sb.st_mode)) {
            ok &= run_file(argv[i]);
            runs++;
            continue;
        }
        struct dirent **list = NULL;
        int n = scandir(argv[i], &list, NULL, by_name);
        if (n < 0) {
            fprintf(stderr, "fuzz_replay: %s: cannot list\n", argv[i]);
            ok = 0;
            continue;
        }
        for (int k = 0; k < n; k++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], list[k]->d_name);
            if (list[k]->d_name[0] != '.' && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
                ok &= run_file(path);
                runs++;
            }
            free(list[k]);
        }
        free(list);
    }
    fprintf(stderr, "fuzz_replay: %zu inputs\n", runs);
    return ok && runs ? 0 : 2;
}
