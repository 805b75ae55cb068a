! Robust futexes: a thread registers a robust list (set_robust_list) holding three
! locks and a pending one, then ends with locks still held. As the kernel does at
! thread exit, every lock whose word holds the thread's id gets FUTEX_OWNER_DIED
! (keeping FUTEX_WAITERS) and a waiter is woken: the main thread, asleep on one of
! them, wakes (not by its timeout); a lock owned by another id is left alone; the
! pending lock is released too. get_robust_list gives the thread its head back.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    sys 120, 0x350f00, stack_top, tid, tid, 0     ! clone a thread, CLONE_CHILD_CLEARTID
    {
        cmpedb,0 %r24, 0, %pred1
        cmpldb,1 %r24, 0, %pred2
        addd,2 0, %r24, %r1            ! the thread's id
        disp %ctpr2, thread
    }
    {
        ct %ctpr2 ? %pred1
    }
    failif %pred2, 1
    {
        addd,0 0, word1, %r2
        ors,1 %r1, 0x80000000, %r3     ! held, with a waiter
        addd,2 0, 1, %r4               ! held by thread 1, not this one
    }
    {
        stw,2 %r2, 0, %r1              ! word1 = tid
        stw,5 %r2, 16, %r3             ! word2 = tid | FUTEX_WAITERS
    }
    {
        stw,2 %r2, 32, %r4             ! word3 = 1
        stw,5 %r2, 48, %r1             ! pending word = tid
    }
    {
        addd,0 0, go, %r5
        addd,1 0, 1, %r6
    }
    {
        stw,2 %r5, 0, %r6              ! let the thread go on
    }
    sys 248, go, 0x81, 1               ! futex(&go, FUTEX_WAKE_PRIVATE, 1)
    {
        addd,0 %r2, 16, %r7
    }
    sys 248, %r7, 0x80, %r3, timeout   ! sleep on word2 until the thread's death wakes us
    {
        cmpedb,0 %r24, -110, %pred3    ! ETIMEDOUT: nobody woke us
    }
    failif %pred3, 2

    ! Join: wait until the id word is 0 (CLONE_CHILD_CLEARTID).
join:
    {
        addd,0 0, tid, %r10
    }
    {
        ldw,0 %r10, 0, %r11
        disp %ctpr2, joined
    }
    {
        cmpesb,0 %r11, 0, %pred4
    }
    {
        ct %ctpr2 ? %pred4
    }
    sys 248, %r10, 0, %r11, 0
    {
        ibranch join
    }
joined:
    {
        ldw,0 %r2, 0, %r12
        ldw,2 %r2, 16, %r13
    }
    {
        ldw,0 %r2, 32, %r14
        ldw,2 %r2, 48, %r15
    }
    checks %r12, 0x40000000, 3         ! FUTEX_OWNER_DIED
    checks %r13, 0xc0000000, 4         ! FUTEX_OWNER_DIED | FUTEX_WAITERS
    checks %r14, 1, 5                  ! another owner's: untouched
    checks %r15, 0x40000000, 6         ! the pending one
    {
        addd,0 0, got, %r16
    }
    {
        ldd,0 %r16, 0, %r17
        ldd,2 %r16, 8, %r18
    }
    check %r17, head, 7
    check %r18, 24, 8
    print msg, 10
    exit 0

thread:
    sys 366, head, 23                  ! a wrong length is refused
    {
        cmpedb,0 %r24, -22, %pred5
    }
    failif ~%pred5, 20
    sys 366, head, 24                  ! set_robust_list(&head, 24)
    {
        addd,0 0, got, %r9
    }
    {
        addd,0 %r9, 8, %r10
    }
    sys 365, 0, %r9, %r10              ! get_robust_list(0, &got[0], &got[1])
wait_go:
    {
        addd,0 0, go, %r5
    }
    {
        ldw,0 %r5, 0, %r6
        disp %ctpr2, went
    }
    {
        cmpesb,0 %r6, 0, %pred6
    }
    {
        ct %ctpr2 ? ~%pred6
    }
    sys 248, go, 0x80, 0, 0            ! futex(&go, FUTEX_WAIT_PRIVATE, 0, NULL)
    {
        ibranch wait_go
    }
went:
    sys 162, nap, 0                    ! 100 ms: the main thread is asleep on word2 by then
    exit 0                             ! this thread only, its locks still held

    .data
msg:
    .ascii "robust ok\n"
    .align 8
timeout:
    .quad 10, 0                        ! 10 s
nap:
    .quad 0, 100000000
! struct robust_list_head: first entry, futex offset (8), list_op_pending
head:
    .quad entry1, 8, pending
entry1:
    .quad entry2
word1:
    .quad 0
entry2:
    .quad entry3
    .quad 0
entry3:
    .quad head
    .quad 0
pending:
    .quad 0
    .quad 0
    .bss
    .align 8
go:
    .skip 8
tid:
    .skip 8
got:
    .skip 16
stack:
    .skip 0x10000
stack_top:
