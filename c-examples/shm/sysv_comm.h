/* comm.h of the notes (sysv_comm.h here, beside the POSIX examples): the
 * server and the client find one segment through ftok(PATHNAME, PROJ_ID).
 *
 * Ported: PATHNAME is a file unique to the run (the driver passes it as
 * argv[1]) instead of a fixed path, so parallel runs get different keys. */
#ifndef COMM_H
#define COMM_H

#define PROJ_ID 1
#define SHM_SIZE 4097

/* The hand-off descriptors, set up by the driver (see sysv_comm.sh): the
 * server says "ready"/"printed" on FD_TO_CLIENT, the client says
 * "appended" on FD_TO_SERVER. The notes' pair slept instead. */
#define FD_TO_CLIENT 3
#define FD_TO_SERVER 4

extern const char *PATHNAME;

int CreateShm(int size);  /* new segment: IPC_CREAT|IPC_EXCL|0644 */
int GetShm(int size);     /* the existing segment (IPC_CREAT, as the notes) */
int DestroyShm(int shmid);

/* One token over a hand-off descriptor; -1 on error or end of file. */
int Send(int fd);
int Receive(int fd);

#endif
