/* The notes' read program: attaches the segment read-only and prints what
 * it holds. Usage: sysv_read_msg PATHNAME */
#include "sysv_seg.h"

int main(int argc, char **argv) {
    int shmid = seg_get(seg_key(argc, argv));
    const char *p = rsipc_shmat(shmid, NULL, SHM_RDONLY);
    if (p == (void *)-1) seg_fail("shmat");
    printf("read \"%.*s\"\n", SEG_SIZE, p);
    seg_print_stat(shmid);
    if (rsipc_shmdt(p) == -1) seg_fail("shmdt");
    return 0;
}
