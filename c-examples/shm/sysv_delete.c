/* The notes' delete program: shmctl(IPC_RMID) on the segment, then shows
 * that its key is free again. Usage: sysv_delete PATHNAME */
#include <errno.h>

#include "sysv_seg.h"

int main(int argc, char **argv) {
    key_t key = seg_key(argc, argv);
    int shmid = seg_get(key);
    if (rsipc_shmctl(shmid, IPC_RMID, NULL) == -1) seg_fail("shmctl(IPC_RMID)");
    printf("removed segment %d\n", shmid);
    if (rsipc_shmget(key, 0, 0) != -1 || errno != ENOENT) {
        fprintf(stderr, "the key still has a segment\n");
        return 1;
    }
    printf("shmget after removal: %s\n", rsipc_last_error());
    return 0;
}
