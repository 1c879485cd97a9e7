/* The segment the writer and reader of the notes exchange. */
#ifndef SHMSEG_H
#define SHMSEG_H

#define BUF_SIZE 1024

struct shmseg {
    int cnt;      /* bytes in buf of this round (-1: error) */
    int complete; /* 1 once the writer is done */
    char buf[BUF_SIZE];
};

/* The hand-off descriptors (set up by the driver, see sysv_shmseg.sh):
 * the writer says "the segment is filled" on FD_FILLED, the reader says "I
 * have read it" on FD_READ. The notes' programs slept instead and raced. */
#define FD_FILLED 3
#define FD_READ 4

#endif
