/* Shared by the notes' create / attach / write / read / delete programs:
 * the key of the segment (ftok of the file named on the command line) and a
 * one-line report of its IPC_STAT. */
#ifndef SYSV_SEG_H
#define SYSV_SEG_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "rsipc.h"

#define SEG_PROJ_ID 'S'
#define SEG_SIZE 4096

static inline void seg_fail(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, rsipc_last_error());
    exit(1);
}

/* The key of the file argv[1], printed; exits on a bad command line. */
static inline key_t seg_key(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATHNAME [...]\n", argv[0]);
        exit(2);
    }
    key_t key = rsipc_ftok(argv[1], SEG_PROJ_ID);
    if (key == -1) seg_fail("ftok");
    printf("key = %#x\n", (unsigned)key);
    return key;
}

/* The existing segment of `key`. */
static inline int seg_get(key_t key) {
    int shmid = rsipc_shmget(key, 0, 0);
    if (shmid == -1) seg_fail("shmget");
    return shmid;
}

static inline void seg_print_stat(int shmid) {
    struct shmid_ds ds;
    if (rsipc_shmctl(shmid, IPC_STAT, &ds) == -1) seg_fail("shmctl(IPC_STAT)");
    printf("IPC_STAT: size = %zu bytes, attached = %lu, mode = %03o\n", (size_t)ds.shm_segsz,
           (unsigned long)ds.shm_nattch, (unsigned)(ds.shm_perm.mode & 0777));
}

#endif
