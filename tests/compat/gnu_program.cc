// The C++ side of gnu_program.c: a C++17 program including the C++ library
// and the IPC headers, then rsipc.h, built by run.py with each C++ compiler
// plain, with `-include rsipc_compat.h`, with the header included last
// (-DCOMPAT_LAST) and with both. glibc declares its functions noexcept in
// C++; with the compat header first those declarations are of the rsipc_
// names, and rsipc.h's own must agree with them. Output must be the same
// every way.
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>
#ifdef COMPAT_LAST
#include "rsipc_compat.h"
#endif
#ifdef RSIPC_COMPAT_H
#include "rsipc.h"
#endif

namespace {

int failures = 0;

void expect(bool ok, const char *what, int line) {
    if (!ok) {
        failures++;
        std::fprintf(stderr, "gnu_program.cc:%d: %s failed (errno %d: %s)\n", line, what, errno, std::strerror(errno));
    }
}
#define EXPECT(cond) expect((cond), #cond, __LINE__)

struct Message {
    long mtype;
    char mtext[16];
};

void threads_and_semaphores() {
    // One thread posts, the other waits: the semaphore is rsipc's when the
    // compat header maps the names, glibc's otherwise.
    sem_t ready;
    EXPECT(sem_init(&ready, 0, 0) == 0);
    std::vector<std::string> log;
    std::thread poster([&] {
        log.push_back("posted");
        EXPECT(sem_post(&ready) == 0);
    });
    EXPECT(sem_wait(&ready) == 0);
    poster.join();
    log.push_back("waited");
    EXPECT(sem_destroy(&ready) == 0);
    std::printf("std::thread + sem_t: %s then %s\n", log[0].c_str(), log[1].c_str());
}

void posix_queue(const std::string &name) {
    mq_attr attr{};
    attr.mq_maxmsg = 4;
    attr.mq_msgsize = 32;
    mqd_t q = mq_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
    EXPECT(q != static_cast<mqd_t>(-1));
    const std::string text = "hello from C++";
    EXPECT(mq_send(q, text.c_str(), text.size() + 1, 7) == 0);
    char buf[32];
    unsigned prio = 0;
    ssize_t n = mq_receive(q, buf, sizeof buf, &prio);
    EXPECT(n == static_cast<ssize_t>(text.size() + 1));
    EXPECT(mq_close(q) == 0);
    EXPECT(mq_unlink(name.c_str()) == 0);
    std::printf("mq: received \"%s\" at priority %u\n", n > 0 ? buf : "", prio);
}

void posix_shm(const std::string &name) {
    int fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
    EXPECT(fd >= 0);
    EXPECT(ftruncate(fd, 4096) == 0);
    // A function pointer to mmap must reach the same implementation as a call.
    std::function<void *(void *, size_t, int, int, int, off_t)> map = mmap;
    void *p = map(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    EXPECT(p != MAP_FAILED);
    if (p != MAP_FAILED) {
        std::strcpy(static_cast<char *>(p), "shared");
        EXPECT(munmap(p, 4096) == 0);
    }
    char back[8] = {};
    EXPECT(pread(fd, back, 6, 0) == 6);
    close(fd);
    EXPECT(shm_unlink(name.c_str()) == 0);
    std::printf("shm_open + mmap: read back \"%s\"\n", back);
}

void gnu_names() {
    int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    EXPECT(fd >= 0);
    close(fd);
    cpu_set_t set;
    CPU_ZERO(&set);
    EXPECT(sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) >= 1);
    off64_t off = 0;
    bool probe = false;
    for (char **e = environ; *e != nullptr; e++) {
        probe = probe || std::strncmp(*e, "RSIPC_COMPAT_PROBE=", 19) == 0;
    }
    EXPECT(probe);
    std::printf("GNU names: O_PATH, CPU_SETSIZE %d, off64_t of %zu bytes, environ\n", CPU_SETSIZE, sizeof off);

    int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    EXPECT(id >= 0);
    Message out[2] = {{1, "one"}, {2, "two"}};
    for (const Message &m : out) {
        EXPECT(msgsnd(id, &m, std::strlen(m.mtext) + 1, IPC_NOWAIT) == 0);
    }
    Message in{};
    EXPECT(msgrcv(id, &in, sizeof in.mtext, 1, MSG_EXCEPT | IPC_NOWAIT) == 4 && in.mtype == 2);
    EXPECT(msgctl(id, IPC_RMID, nullptr) == 0);
    std::printf("MSG_EXCEPT: got type %ld \"%s\"\n", in.mtype, in.mtext);
}

void routing() {
#ifdef RSIPC_COMPAT_H
    sem_t *volatile nowhere = nullptr;
    rsipc_clear_error();
    errno = 0;
    EXPECT(sem_post(nowhere) == -1 && errno == EFAULT);
    EXPECT(std::strncmp(rsipc_last_error(), "sem_post(", 9) == 0);
    std::fprintf(stderr, "routed to rsipc: %s\n", rsipc_last_error());
#endif
}

}  // namespace

int main() {
    const std::string name = "/rsipc-compat-cxx-" + std::to_string(getpid());
    threads_and_semaphores();
    posix_queue(name);
    posix_shm(name);
    gnu_names();
    routing();
    return failures == 0 ? 0 : 1;
}
