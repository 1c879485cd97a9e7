/* The standard library's own mmap64/munmap calls, made as system calls.
 *
 * Rust's standard library, linked into librsipc.so, maps files in one place:
 * the symbolizer of a printed backtrace (std::backtrace_rs), which a panic
 * hook reaches when it prints one. Its calls would import mmap64 and munmap,
 * names librsipc_preload.so exports; from a preloaded process they would
 * lead back into rsipc (harmless, since rsipc's mmap makes the system call,
 * but then nothing could show that librsipc.so never calls an interposable
 * name). cmake/RsipcCargo.cmake links with -Wl,--wrap=mmap64 and
 * -Wl,--wrap=munmap, which turn those references into the functions below;
 * the version script keeps them local. rsipc's own calls are made the same
 * way in src/sys/mman.rs. The "abi" test checks the imports. */
#include <errno.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __wrap_munmap(void *addr, size_t len);

/* As glibc's mmap64: an offset that is not a multiple of 4096 (its mmap2
 * unit) is EINVAL before the call. */
void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (off & 4095) {
        errno = EINVAL;
        return (void *)-1;
    }
    return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

int __wrap_munmap(void *addr, size_t len)
{
    return (int)syscall(SYS_munmap, addr, len);
}
