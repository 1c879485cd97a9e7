/* rsipc_compat.h maps the standard names to rsipc and touches nothing else. */
#include <unistd.h>

#include "check.h"
#include "rsipc_compat.h"

int main(void) {
    /* Calls, function pointers and &name all reach rsipc. */
    int (*p)(int *) = pipe;
    CHECK(p == rsipc_pipe);
    CHECK(&pipe2 == &rsipc_pipe2);

    /* Existing code runs unchanged, now with rsipc's checks. */
    int fds[2];
    CHECK(pipe(fds) == 0);
    CHECK(write(fds[1], "x", 1) == 1);
    close(fds[0]);
    close(fds[1]);
    CHECK_FAILS(pipe(NULL), -1, EFAULT, "pipe(");
    return check_summary("test_compat");
}
