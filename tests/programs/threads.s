! Threads: four clone(CLONE_VM | CLONE_THREAD | CLONE_SETTLS | CLONE_PARENT_SETTID |
! CLONE_CHILD_CLEARTID ...) threads, as pthread_create makes them, each on its own
! stack with its own thread pointer (%g13). Each adds 1 to a shared counter 3000
! times with the lock/conditional-store sequence lcc emits for atomics, and 3000
! times to another under a futex mutex (contended: waiters sleep in futex_wait).
! The main thread joins each one by waiting on its id word, which the kernel clears
! at the thread's exit; then both sums must be exact and every thread's TLS block
! must hold what that thread stored through %g13.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        addd,0 0, 0, %r8               ! thread index
    }
spawn:
    {
        addd,0 %r8, 1, %r13
        shld,1 %r8, 3, %r14
        shld,2 %r8, 6, %r16
    }
    {
        shld,0 %r13, 16, %r9
        addd,1 %r14, tids, %r10        ! &tids[i]: parent and child id word
    }
    {
        addd,2 %r16, tls, %r12         ! TLS block of thread i
    }
    {
        addd,0 %r9, stacks, %r9        ! stack top of thread i
    }
    sys 120, 0x3d0f00, %r9, %r10, %r10, %r12
    {
        cmpedb,0 %r24, 0, %pred1
        cmpldb,1 %r24, 0, %pred2
        addd,2 0, %r24, %r11
        disp %ctpr2, thread
    }
    {
        ct %ctpr2 ? %pred1
    }
    failif %pred2, 1                   ! clone failed
    {
        ldw,0 %r10, 0, %r1             ! CLONE_PARENT_SETTID wrote the id (or the
    }                                  ! thread has already ended and cleared it)
    {
        cmpesb,0 %r1, %r11, %pred6
        cmpesb,1 %r1, 0, %pred7
    }
    {
        pass %pred6, @p0
        pass %pred7, @p1
        landp ~@p0, ~@p1, @p4          ! neither
        pass @p4, %pred8
    }
    failif %pred8, 2
    {
        addd,0 %r8, 1, %r8
        disp %ctpr2, spawn
    }
    {
        cmpedb,0 %r8, 4, %pred3
    }
    {
        ct %ctpr2 ? ~%pred3
    }

    ! Join: wait until each id word is 0 (CLONE_CHILD_CLEARTID wakes us).
    {
        addd,0 0, 0, %r8
    }
join:
    {
        shld,0 %r8, 3, %r14
    }
    {
        addd,0 %r14, tids, %r10
    }
wait:
    {
        ldw,0 %r10, 0, %r1
        disp %ctpr2, joined
    }
    {
        cmpesb,0 %r1, 0, %pred4
    }
    {
        ct %ctpr2 ? %pred4
    }
    sys 248, %r10, 0, %r1, 0           ! futex(&tid, FUTEX_WAIT, tid, NULL)
    {
        ibranch wait
    }
joined:
    {
        addd,0 %r8, 1, %r8
        disp %ctpr2, join
    }
    {
        cmpedb,0 %r8, 4, %pred3
    }
    {
        ct %ctpr2 ? ~%pred3
    }

    {
        addd,0 0, counter1, %r1
        addd,1 0, counter2, %r2
    }
    {
        ldd,0 %r1, 0, %r3
        ldd,2 %r2, 0, %r4
    }
    check %r3, 12000, 3                ! the atomic sum
    check %r4, 12000, 4                ! the sum under the mutex
    {
        addd,0 0, tls, %r1
    }
    {
        ldd,0 %r1, 0, %r3
        ldd,2 %r1, 64, %r4
    }
    {
        ldd,0 %r1, 128, %r5
        ldd,2 %r1, 192, %r6
    }
    check %r3, 1, 5                    ! each thread's own TLS block
    check %r4, 2, 5
    check %r5, 3, 5
    check %r6, 4, 5
    sys 244                            ! gettid: the main thread's is the pid
    {
        addd,0 0, %r24, %r7
    }
    sys 20
    check %r24, %r7, 6
    print msg, 11
    exit 0

! A new thread: the clone call's procedure is its only frame, with the parent's
! registers (%r8 = its index) and %g13 = its TLS block.
thread:
    {
        shld,0 %r8, 6, %r16
    }
    {
        addd,0 %r16, tls, %r16
    }
    check %dg13, %r16, 20              ! CLONE_SETTLS
    {
        addd,0 %r8, 1, %r1
    }
    {
        std,2 %dg13, 0, %r1            ! TLS[0] = index + 1
    }
    sys 244                            ! gettid differs from the parent's
    {
        addd,0 0, %r24, %r17
    }
    sys 20
    {
        cmpedb,0 %r24, %r17, %pred5
    }
    failif %pred5, 21
    {
        addd,0 0, 3000, %r15
        addd,1 0, counter1, %r21
    }
atomic:
    {
        ldd,3 %r21, 0, %r1, mas = 0x7
    }
    {
        addd,0 %r1, 1, %r2
    }
    {
        std,2 %r21, 0, %r2, mas = 0x2
        ibranch atomic ? %MLOCK
    }
    {
        subd,0 %r15, 1, %r15
        disp %ctpr2, atomic
    }
    {
        cmpedb,0 %r15, 0, %pred2
    }
    {
        ct %ctpr2 ? ~%pred2
    }

    {
        addd,0 0, 3000, %r15
        addd,1 0, mutex, %r20
    }
    {
        addd,2 0, counter2, %r22
    }
lock:
    {
        ldd,3 %r20, 0, %r1, mas = 0x7
        addd,0 0, 1, %r2
        disp %ctpr2, contended
    }
    {
        cmpedb,0 %r1, 0, %pred1
    }
    {
        ct %ctpr2 ? ~%pred1
    }
    {
        std,2 %r20, 0, %r2, mas = 0x2
        ibranch lock ? %MLOCK
    }
    {
        ldd,0 %r22, 0, %r3             ! the critical section: a plain increment
    }
    {
        addd,0 %r3, 1, %r3
    }
    {
        std,2 %r22, 0, %r3
    }
    {
        addd,0 0, 0, %r4
    }
    {
        std,2 %r20, 0, %r4             ! unlock, then wake a waiter
    }
    sys 248, %r20, 0x81, 1             ! futex(&mutex, FUTEX_WAKE_PRIVATE, 1)
    {
        subd,0 %r15, 1, %r15
        disp %ctpr2, lock
    }
    {
        cmpedb,0 %r15, 0, %pred2
    }
    {
        ct %ctpr2 ? ~%pred2
    }
    exit 0                             ! exit: this thread only

contended:
    sys 248, %r20, 0x80, 1, 0          ! futex(&mutex, FUTEX_WAIT_PRIVATE, 1, NULL)
    {
        ibranch lock
    }

    .data
msg:
    .ascii "threads ok\n"
    .bss
    .align 8
counter1:
    .skip 8
counter2:
    .skip 8
mutex:
    .skip 8
tids:
    .skip 32
tls:
    .skip 256
stacks:
    .skip 0x40000
