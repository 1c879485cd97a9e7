/* The notes' create program: ftok + shmget(IPC_CREAT|IPC_EXCL) of a new
 * segment, then its IPC_STAT. Usage: sysv_create PATHNAME */
#include "sysv_seg.h"

int main(int argc, char **argv) {
    key_t key = seg_key(argc, argv);
    int shmid = rsipc_shmget(key, SEG_SIZE, IPC_CREAT | IPC_EXCL | 0644);
    if (shmid == -1) seg_fail("shmget");
    printf("created segment %d\n", shmid);
    seg_print_stat(shmid);
    return 0;
}
