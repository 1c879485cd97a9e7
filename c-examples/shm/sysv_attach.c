/* The notes' attach program: attaches the segment, clears it with memset,
 * detaches, printing the attach count at each step.
 * Usage: sysv_attach PATHNAME */
#include <string.h>

#include "sysv_seg.h"

int main(int argc, char **argv) {
    int shmid = seg_get(seg_key(argc, argv));
    char *p = rsipc_shmat(shmid, NULL, 0);
    if (p == (void *)-1) seg_fail("shmat");
    printf("attached\n");
    seg_print_stat(shmid);
    memset(p, 0, SEG_SIZE);
    printf("cleared %d bytes\n", SEG_SIZE);
    if (rsipc_shmdt(p) == -1) seg_fail("shmdt");
    printf("detached\n");
    seg_print_stat(shmid);
    return 0;
}
