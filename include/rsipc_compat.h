/*
 * rsipc_compat.h — move an existing program onto rsipc without editing it.
 *
 * Two ways to use it, for one file or for a whole source tree:
 *
 *     #include <sys/shm.h>              cc -include rsipc_compat.h ... -lrsipc
 *     #include "rsipc_compat.h"         (CFLAGS += -include rsipc_compat.h)
 *
 * Either way every standard name of rsipc's POSIX-compatible layer (pipe,
 * shmget, sem_wait, ...; the list is below) becomes the rsipc function,
 * through object-like macros, so calls, function pointers and &name all
 * reach rsipc. No other name of the C library is touched. Link with -lrsipc.
 *
 * Order-proof. Forced into a translation unit with -include, this header is
 * read before the program's own `#define _GNU_SOURCE` (or _XOPEN_SOURCE,
 * _FILE_OFFSET_BITS, ...). glibc fixes its feature set from those macros the
 * first time any of its headers is read, so a header read first must not
 * include a system header: this one then includes none and defines only
 * macros (plus, for GCC and clang, the private inline helpers described
 * below). The system headers the program includes later declare the renamed
 * functions themselves, with glibc's own prototypes and attributes: with
 * `#define sem_post rsipc_sem_post` in force, <semaphore.h> declares
 * `int rsipc_sem_post(sem_t *)`. When a glibc header came first (the classic
 * placement, or any header before it), the feature set is already fixed,
 * and this header includes rsipc.h before defining the macros, so every
 * rsipc function is declared whatever the program includes next. rsipc.h
 * declares each function with the exception specification glibc gives its
 * counterpart (RSIPC_THROW), so glibc's renamed declaration and rsipc.h's
 * agree in C++ too, in either order.
 *
 * Why macros and not wrapper headers: wrapper headers (a directory of
 * <semaphore.h>, <mqueue.h>, ... that #include_next the real one and then
 * map the names) would need that directory ahead of the system's on the
 * include path, a second flag a build system must get right and one that
 * also captures every other header of the same name; a single force-included
 * file cannot add a search path. Macros need nothing but -include.
 *
 * What macros alone would get wrong, and how this header handles it:
 *  - glibc renames some declarations at the symbol level (__REDIRECT, an
 *    asm label): with -D_FILE_OFFSET_BITS=64, <sys/mman.h> declares mmap as
 *    `mmap(...) __asm__("mmap64")`. Whatever name `mmap` expands to gets that
 *    label, so `#define mmap rsipc_mmap` would send rsipc_mmap's calls to
 *    glibc's mmap64. Here, included first, `mmap` expands to a private static
 *    inline function whose body calls rsipc_mmap; the label then only renames
 *    that local function. (On 64-bit targets this is the only redirect that
 *    touches a mapped name: the 64-bit time_t redirects exist on 32-bit
 *    targets only.)
 *  - With _FORTIFY_SOURCE (GCC, -O1 and up), <mqueue.h> defines mq_open as an
 *    always-inline wrapper whose body calls __mq_open_2 and __mq_open_alias
 *    (the latter labelled "mq_open"); renamed, the wrapper becomes an inline
 *    definition of rsipc_mq_open that would still call glibc through them.
 *    Those two glibc-internal names are mapped to private inline functions
 *    calling rsipc_mq_open, so every path of the wrapper ends in rsipc and
 *    its compile-time argument checks still apply. (A two-argument call whose
 *    oflag has O_CREAT at run time, which glibc's checked build stops with a
 *    fatal error, creates the queue with mode 0 and default attributes
 *    instead of reading arguments that were never passed.)
 *  - glibc defines some of these names as macros itself (`#define mmap
 *    mmap64`, `#define semctl __semctl64`, ...), but only for compilers
 *    without asm labels and for 32-bit targets with 64-bit time_t, whose
 *    ABI is not rsipc's; with GCC or clang on a 64-bit target it defines
 *    none, and rsipc_compat.h does not support the others.
 *  - Included in an assembler source (CFLAGS reaching .S files), the header
 *    does nothing.
 * Consequences of the private helpers: when this header comes first, &mmap
 * is the address of this translation unit's helper (which calls rsipc_mmap),
 * not rsipc_mmap itself; in C, a non-static `inline` function of the program
 * that calls mmap draws a warning (it refers to that static helper); and a
 * program that defines its own function named mmap cannot use the header.
 */
#ifndef __ASSEMBLER__

/*
 * A glibc header came first (features.h has been read): the feature set is
 * fixed, so rsipc.h's system headers change nothing and are read before the
 * macros, under glibc's own names. Outside the include guard, so that a
 * program that gets this header by -include and also includes it itself,
 * after its system headers, still finds rsipc.h's declarations.
 */
#if defined _FEATURES_H && !defined RSIPC_H
#include "rsipc.h"
#endif

#ifndef RSIPC_COMPAT_H
#define RSIPC_COMPAT_H

#if !defined _FEATURES_H && defined __GNUC__ && defined __LP64__
/*
 * Included first, by GCC or clang, on a 64-bit target: the private helpers.
 * No system type is known yet, so they are written with the compiler's own
 * types, which are glibc's on these targets (size_t is __SIZE_TYPE__,
 * off_t is long, mqd_t and mode_t are int and unsigned int). Each calls rsipc
 * through an asm-labelled name of its own (ELF symbols carry no prefix on
 * Linux): no declaration of an rsipc_ name is made here, rsipc.h's stays the
 * only one, and no later glibc declaration can rename the call. They carry
 * the exception specification glibc's declarations of them will have in C++
 * (its __THROW).
 */
#ifdef __cplusplus
#if __cplusplus >= 201103L
#define RSIPC_COMPAT_NOTHROW noexcept(true)
#else
#define RSIPC_COMPAT_NOTHROW throw()
#endif
extern "C" {
#else
#define RSIPC_COMPAT_NOTHROW
#endif

extern void *rsipc_compat_mmap_target_(void *, __SIZE_TYPE__, int, int, int, long) RSIPC_COMPAT_NOTHROW
    __asm__("rsipc_mmap");

/* mmap: under _FILE_OFFSET_BITS=64, glibc labels this helper "mmap64". */
static __inline void *rsipc_compat_mmap(void *addr, __SIZE_TYPE__ len, int prot, int flags, int fd,
                                        long off) RSIPC_COMPAT_NOTHROW {
    return rsipc_compat_mmap_target_(addr, len, prot, flags, fd, off);
}
#define RSIPC_COMPAT_MMAP rsipc_compat_mmap

#if __GNUC__ > 4 || (__GNUC__ == 4 && __GNUC_MINOR__ >= 3)
/* The compilers for which glibc defines its fortified mq_open (clang
 * reports itself as 4.2 and gets no wrapper). */
extern int rsipc_compat_mq_open_target_(const char *, int, ...) RSIPC_COMPAT_NOTHROW __asm__("rsipc_mq_open");

/* glibc's wrapper is an inline function with external linkage, so the
 * helpers it calls are too (C forbids it a reference to a static one):
 * extern inline in GNU's sense, always inlined, never emitted or linked. */
#define RSIPC_COMPAT_INLINE_ extern __inline __attribute__((__gnu_inline__, __always_inline__, __artificial__))

/* The wrapper's call for two arguments (glibc's checks O_CREAT, then opens). */
RSIPC_COMPAT_INLINE_ int rsipc_compat_mq_open_2(const char *name, int oflag) RSIPC_COMPAT_NOTHROW {
    return rsipc_compat_mq_open_target_(name, oflag, 0u, (void *)0);
}

/* The wrapper's call with the caller's arguments, forwarded as they are;
 * glibc labels this helper "mq_open", harmlessly: it is never emitted. */
RSIPC_COMPAT_INLINE_ int rsipc_compat_mq_open_alias(const char *name, int oflag, ...) RSIPC_COMPAT_NOTHROW {
    return rsipc_compat_mq_open_target_(name, oflag, __builtin_va_arg_pack());
}

#define __mq_open_2 rsipc_compat_mq_open_2
#define __mq_open_alias rsipc_compat_mq_open_alias
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif /* first, GNU compiler, 64-bit */

/* Pipes */
#define pipe rsipc_pipe
#define pipe2 rsipc_pipe2

/* FIFOs */
#define mkfifo rsipc_mkfifo
#define mkfifoat rsipc_mkfifoat

/* Memory mapping */
#ifdef RSIPC_COMPAT_MMAP
#define mmap RSIPC_COMPAT_MMAP
#else
#define mmap rsipc_mmap
#endif
#define munmap rsipc_munmap
#define msync rsipc_msync

/* POSIX shared memory */
#define shm_open rsipc_shm_open
#define shm_unlink rsipc_shm_unlink

/* System V keys and shared memory */
#define ftok rsipc_ftok
#define shmget rsipc_shmget
#define shmat rsipc_shmat
#define shmdt rsipc_shmdt
#define shmctl rsipc_shmctl

/* System V message queues */
#define msgget rsipc_msgget
#define msgsnd rsipc_msgsnd
#define msgrcv rsipc_msgrcv
#define msgctl rsipc_msgctl

/* POSIX message queues */
#define mq_open rsipc_mq_open
#define mq_close rsipc_mq_close
#define mq_unlink rsipc_mq_unlink
#define mq_send rsipc_mq_send
#define mq_receive rsipc_mq_receive
#define mq_timedsend rsipc_mq_timedsend
#define mq_timedreceive rsipc_mq_timedreceive
#define mq_getattr rsipc_mq_getattr
#define mq_setattr rsipc_mq_setattr
#define mq_notify rsipc_mq_notify

/* POSIX semaphores */
#define sem_init rsipc_sem_init
#define sem_destroy rsipc_sem_destroy
#define sem_wait rsipc_sem_wait
#define sem_trywait rsipc_sem_trywait
#define sem_timedwait rsipc_sem_timedwait
#define sem_clockwait rsipc_sem_clockwait
#define sem_post rsipc_sem_post
#define sem_getvalue rsipc_sem_getvalue
#define sem_open rsipc_sem_open
#define sem_close rsipc_sem_close
#define sem_unlink rsipc_sem_unlink

/* System V semaphores */
#define semget rsipc_semget
#define semop rsipc_semop
#define semtimedop rsipc_semtimedop
#define semctl rsipc_semctl

#endif /* RSIPC_COMPAT_H */
#endif /* __ASSEMBLER__ */
