! args: one two
! System calls: argv and auxv on the initial stack, files (open, read, lseek, fstat,
! close), anonymous and file mmap, munmap, brk, time, uname, pipe, poll, getrusage,
! prctl, sched_getaffinity, and an unknown number answered with -ENOSYS.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        getsp,0 0, %r0                 ! the stack pointer addresses argc
    }
    {
        ldd,0 %r0, 0, %r1
        ldd,2 %r0, 16, %r2             ! argv[1]
    }
    check %r1, 3, 1
    {
        addd,0 %r2, 0, %r20
        addd,1 0, 0, %r21
        disp %ctpr2, strlen
    }
strlen:
    {
        ldb,0 %r20, %r21, %r22
    }
    {
        cmpedb,0 %r22, 0, %pred2
        addd,1 %r21, 1, %r21
    }
    {
        ct %ctpr2 ? ~%pred2
    }
    {
        subd,0 %r21, 1, %r21
    }
    sys 4, 1, %r20, %r21
    print nl, 1

    ! Past argv and envp to the auxiliary vector; find AT_PAGESZ (6).
    {
        shld,0 %r1, 3, %r3
    }
    {
        addd,0 %r0, %r3, %r3
    }
    {
        addd,0 %r3, 16, %r3
        disp %ctpr2, envloop
    }
envloop:
    {
        ldd,0 %r3, 0, %r4
        addd,1 %r3, 8, %r3
    }
    {
        cmpedb,0 %r4, 0, %pred2
    }
    {
        ct %ctpr2 ? ~%pred2
    }
    {
        disp %ctpr2, auxloop
    }
auxloop:
    {
        ldd,0 %r3, 0, %r5
        ldd,2 %r3, 8, %r6
        addd,1 %r3, 16, %r3
    }
    {
        cmpedb,0 %r5, 6, %pred2
        cmpedb,1 %r5, 0, %pred3
    }
    failif %pred3, 2
    {
        disp %ctpr2, auxloop
    }
    {
        ct %ctpr2 ? ~%pred2
    }
    check %r6, 4096, 3

    ! Files.
    sys 5, fname, 0, 0
    {
        addd,0 %r24, 0, %r7
    }
    sys 3, %r7, buf, 64
    check %r24, 14, 4
    sys 4, 1, buf, 14
    sys 108, %r7, statbuf
    {
        ldd,0 0, statbuf + 40, %r9     ! st_size in the E2K struct stat
    }
    check %r9, 14, 5
    sys 19, %r7, 5, 0
    check %r24, 5, 6
    sys 3, %r7, buf, 64
    check %r24, 9, 7
    sys 4, 1, buf, 9

    ! mmap: the file, read-only and private, then anonymous memory.
    sys 90, 0, 4096, 1, 2, %r7, 0
    {
        addd,0 %r24, 0, %r10
    }
    sys 4, 1, %r10, 4
    print nl, 1
    sys 6, %r7
    check %r24, 0, 8
    sys 90, 0, 8192, 3, 0x12, -1, 0
    {
        addd,0 %r24, 0, %r10
        addd,1 0, 0x55aa, %r11
    }
    {
        std,2 %r10, 0x1ff8, %r11
    }
    {
        ldd,0 %r10, 0x1ff8, %r12
        ldd,2 %r10, 0, %r13            ! fresh memory reads zero
    }
    check %r12, 0x55aa, 9
    check %r13, 0, 10
    sys 91, %r10, 8192
    check %r24, 0, 11

    ! brk grows the heap.
    sys 45, 0
    {
        addd,0 %r24, 0, %r14
    }
    {
        addd,0 %r14, 0x2000, %r15
    }
    sys 45, %r15
    check %r24, %r15, 12
    {
        std,2 %r14, 0x1ff8, %r11
    }

    ! Time.
    sys 267, 1, tsbuf
    check %r24, 0, 13
    sys 78, tsbuf, 0
    {
        ldd,0 0, tsbuf, %r16
    }
    {
        cmpbdb,0 %r16, 1600000000, %pred2
    }
    failif %pred2, 14

    ! uname says e2k.
    sys 122, utsbuf
    check %r24, 0, 15
    sys 4, 1, utsbuf + 260, 3
    print nl, 1

    ! A pipe to ourselves.
    sys 42, pipefds
    check %r24, 0, 16
    {
        ldw,0 0, pipefds, %r17
        ldw,2 0, pipefds + 4, %r18
    }
    {
        addd,0 0, pollfd, %r19
    }
    {
        stw,2 %r19, 0, %r17            ! pollfd { fd = read end, events = POLLIN }
        addd,0 0, 1, %r20
    }
    {
        sth,2 %r19, 4, %r20
    }
    sys 168, pollfd, 1, 0              ! poll: nothing to read yet
    check %r24, 0, 30
    sys 4, %r18, pmsg, 5
    sys 168, pollfd, 1, 1000           ! now the read end is ready
    check %r24, 1, 31
    {
        ldh,0 %r19, 6, %r21            ! revents
    }
    check %r21, 1, 32
    sys 3, %r17, buf, 64
    check %r24, 5, 17
    sys 4, 1, buf, 5

    sys 77, 0, rusage                  ! getrusage(RUSAGE_SELF)
    check %r24, 0, 33
    sys 172, 15, pname                 ! prctl(PR_SET_NAME)
    check %r24, 0, 34
    sys 172, 16, buf                   ! prctl(PR_GET_NAME)
    {
        ldd,0 0, buf, %r21
    }
    check %r21, 0x74736574, 35          ! "test"
    sys 250, 0, 128, buf               ! sched_getaffinity: bytes of the mask
    {
        cmpledb,0 %r24, 0, %pred3
    }
    failif %pred3, 36
    sys 172, 22, 0                     ! prctl(PR_SET_SECCOMP) is refused
    check %r24, -22, 37

    sys 20
    {
        cmpledb,0 %r24, 0, %pred2
    }
    failif %pred2, 18
    sys 9999
    check %r24, -38, 19
    print msg, 12
    exit 0

    .data
nl:
    .ascii "\n"
fname:
    .asciz "syscalls.input"
pmsg:
    .ascii "pipe\n"
pname:
    .asciz "test"
msg:
    .ascii "syscalls ok\n"
    .bss
buf:
    .skip 64
statbuf:
    .skip 128
tsbuf:
    .skip 16
utsbuf:
    .skip 400
pipefds:
    .skip 8
pollfd:
    .skip 8
rusage:
    .skip 144
