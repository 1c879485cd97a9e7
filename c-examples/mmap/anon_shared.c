/* Related processes sharing memory without a file: a MAP_SHARED|MAP_ANONYMOUS
 * region mapped before fork() is the same memory in parent and child, while
 * a MAP_PRIVATE one becomes a private copy in each.
 *
 * Port of the notes' MAP_ANONYMOUS example; the parent waits for the child
 * with waitpid (no sleep) before reading what it wrote. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rsipc.h"

struct board {
    int counter;
    char message[64];
};

int main(void) {
    struct board *shared = rsipc_map_anonymous_shared(sizeof *shared);
    if (shared == MAP_FAILED) {
        fprintf(stderr, "%s\n", rsipc_last_error());
        return 1;
    }
    struct board *private = rsipc_mmap(NULL, sizeof *private, PROT_READ | PROT_WRITE,
                                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (private == MAP_FAILED) {
        fprintf(stderr, "%s\n", rsipc_last_error());
        return 1;
    }
    strcpy(shared->message, "hello from the parent");
    printf("parent: wrote \"%s\"\n", shared->message);
    fflush(stdout); /* so the child does not inherit unwritten output */

    pid_t pid = fork();
    if (pid == -1) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        printf("child: read \"%s\"\n", shared->message);
        strcpy(shared->message, "hello from the child");
        shared->counter += 1;
        private->counter += 1;
        printf("child: wrote \"%s\", counters shared=%d private=%d\n", shared->message, shared->counter,
               private->counter);
        exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "the child failed\n");
        return 1;
    }
    printf("parent: read \"%s\", counters shared=%d private=%d\n", shared->message, shared->counter,
           private->counter);
    if (rsipc_munmap(shared, sizeof *shared) == -1 || rsipc_munmap(private, sizeof *private) == -1) {
        fprintf(stderr, "%s\n", rsipc_last_error());
        return 1;
    }
    return 0;
}
