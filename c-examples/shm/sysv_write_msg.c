/* The notes' write program: attaches the segment and stores a message
 * (argv[2], default "hello"). Usage: sysv_write_msg PATHNAME [MESSAGE] */
#include <string.h>

#include "sysv_seg.h"

int main(int argc, char **argv) {
    int shmid = seg_get(seg_key(argc, argv));
    const char *msg = argc > 2 ? argv[2] : "hello";
    if (strlen(msg) >= SEG_SIZE) {
        fprintf(stderr, "message too long\n");
        return 2;
    }
    char *p = rsipc_shmat(shmid, NULL, 0);
    if (p == (void *)-1) seg_fail("shmat");
    strcpy(p, msg);
    printf("wrote \"%s\"\n", p);
    if (rsipc_shmdt(p) == -1) seg_fail("shmdt");
    return 0;
}
