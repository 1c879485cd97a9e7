/* chan_epoll — an epoll loop that waits on a native channel together with
 * an ordinary pipe.
 *
 * The parent creates the channel "/rsipc-example-epoll-PID" and asks for
 * its pollable descriptor (rsipc_chan_pollfd with POLLIN); a child, which
 * shares nothing with the parent but the channel's name, opens it, sends
 * five messages and then reports on a pipe how many it sent. The parent
 * waits for both with one epoll_wait: edge-triggered on the channel's
 * descriptor (on each event: receive with timeout 0 until EAGAIN, which
 * re-arms it) and on the pipe. Nothing sleeps on a timer: every wait is
 * for an event. */
#include <poll.h>
#include <sys/epoll.h>

#include "../example.h"

#define MESSAGES 5

static int producer(const char *name, int report) {
    rsipc_chan_t *ch = rsipc_chan_open(name);
    if (ch == NULL) DIE("rsipc_chan_open");
    char msg[32];
    for (int i = 1; i <= MESSAGES; i++) {
        int len = snprintf(msg, sizeof msg, "message %d", i);
        if (rsipc_chan_send(ch, msg, (size_t)len, 10000) != 0) DIE("rsipc_chan_send");
    }
    int sent = MESSAGES;
    if (write(report, &sent, sizeof sent) != (ssize_t)sizeof sent) DIE("write");
    close(report);
    rsipc_chan_close(ch);
    return 0;
}

int main(void) {
    char name[64];
    snprintf(name, sizeof name, "/rsipc-example-epoll-%d", (int)getpid());
    rsipc_chan_t *ch = rsipc_chan_create(name, 32, 4, 0600);
    if (ch == NULL) DIE("rsipc_chan_create");
    int chfd = rsipc_chan_pollfd(ch, POLLIN);
    if (chfd < 0) DIE("rsipc_chan_pollfd");

    int report[2];
    if (pipe(report) != 0) DIE("pipe");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) DIE("fork");
    if (pid == 0) {
        /* The child works through a handle of its own, opened by name. */
        rsipc_chan_close(ch);
        close(report[0]);
        _exit(producer(name, report[1]));
    }
    close(report[1]);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) DIE("epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.fd = chfd};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, chfd, &ev) != 0) DIE("epoll_ctl");
    ev = (struct epoll_event){.events = EPOLLIN, .data.fd = report[0]};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, report[0], &ev) != 0) DIE("epoll_ctl");

    int received = 0, announced = -1;
    while (announced < 0 || received < announced) {
        struct epoll_event events[2];
        int n = epoll_wait(ep, events, 2, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) DIE("epoll_wait");
        for (int i = 0; i < n; i++) {
            if (events[i].data.fd == chfd) {
                /* Edge-triggered: take everything, up to the EAGAIN that
                 * re-arms the descriptor. */
                char buf[33];
                ssize_t len;
                while ((len = rsipc_chan_recv(ch, buf, sizeof buf - 1, 0)) >= 0) {
                    buf[len] = '\0';
                    printf("epoll: received \"%s\"\n", buf);
                    received++;
                }
                if (errno != EAGAIN) DIE("rsipc_chan_recv");
            } else {
                int sent;
                if (read(report[0], &sent, sizeof sent) != (ssize_t)sizeof sent) DIE("read");
                announced = sent;
                if (epoll_ctl(ep, EPOLL_CTL_DEL, report[0], NULL) != 0) DIE("epoll_ctl");
            }
        }
    }
    printf("epoll: the producer reported %d messages sent\n", announced);
    struct rsipc_chan_stats st;
    if (rsipc_chan_stats(ch, &st) != 0) DIE("rsipc_chan_stats");
    printf("epoll: counters: sent %llu, received %llu, queued %llu, lost %llu\n", (unsigned long long)st.sent,
           (unsigned long long)st.received, (unsigned long long)st.queued, (unsigned long long)st.lost);
    close(ep);
    close(report[0]);
    if (rsipc_chan_close(ch) != 0 || rsipc_chan_unlink(name) != 0) DIE("rsipc_chan_close/unlink");
    if (wait_ok(pid) != 0) {
        fprintf(stderr, "the producer failed\n");
        return 1;
    }
    return 0;
}
