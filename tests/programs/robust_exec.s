! Robust locks at exit_group and at execve: a forked child registers a robust list
! whose lock, in memory it shares with the parent (mmap MAP_SHARED | MAP_ANONYMOUS,
! which stays shared after fork), holds the child's id; the child ends with
! exit_group, and the parent finds the lock released (FUTEX_OWNER_DIED). A second
! child does the same and then execs (this program again, which exits 3 at once):
! the kernel releases the locks at the exec too.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        getsp,0 0, %r0                 ! the stack pointer addresses argc
    }
    {
        ldd,0 %r0, 0, %r1
        ldd,2 %r0, 8, %r2              ! argv[0]
    }
    {
        cmpedb,0 %r1, 2, %pred1
        disp %ctpr2, execd
    }
    {
        ct %ctpr2 ? %pred1
    }
    sys 90, 0, 4096, 3, 0x11, -1, 0    ! mmap(NULL, 4096, RW, MAP_SHARED | MAP_ANONYMOUS)
    {
        addd,0 0, %r24, %r20           ! the shared page: list entry at 0, lock word at 8
        addd,1 0, head, %r21
    }
    {
        std,2 %r21, 0, %r20            ! head.list = the entry
        std,5 %r20, 0, %r21            ! entry.next = &head: the list's end
    }

    sys 2                              ! fork
    {
        cmpedb,0 %r24, 0, %pred2
        addd,1 0, %r24, %r8
        disp %ctpr2, child_exit
    }
    {
        ct %ctpr2 ? %pred2
    }
    sys 114, %r8, status, 0, 0         ! wait4(pid, &status, 0, NULL)
    {
        ldw,0 %r20, 8, %r9
    }
    checks %r9, 0x40000000, 1          ! FUTEX_OWNER_DIED, the id cleared

    {
        stw,2 %r20, 8, %r1             ! held again (by id 2, argc), for the next child
    }
    sys 2                              ! fork, then execve in the child
    {
        cmpedb,0 %r24, 0, %pred2
        addd,1 0, %r24, %r8
        disp %ctpr2, child_exec
    }
    {
        ct %ctpr2 ? %pred2
    }
    sys 114, %r8, status, 0, 0
    {
        ldw,0 0, status, %r9
        ldw,2 %r20, 8, %r10
    }
    {
        shrd,0 %r9, 8, %r9
    }
    {
        andd,0 %r9, 0xff, %r9
    }
    check %r9, 3, 2                    ! the exec'd program's status
    checks %r10, 0x40000000, 3
    print msg, 10
    exit 0

child_exit:
    sys 366, head, 24                  ! set_robust_list(&head, 24)
    sys 244                            ! gettid
    {
        stw,2 %r20, 8, %r24            ! the lock: held by this thread
    }
    sys 300, 0                         ! exit_group(0)

child_exec:
    sys 366, head, 24
    sys 244
    {
        stw,2 %r20, 8, %r24
        addd,0 0, argvec, %r3
    }
    {
        std,2 %r3, 0, %r2              ! argvec = { argv[0], "again", NULL }
    }
    sys 11, %r2, argvec, 0             ! execve(argv[0], argvec, NULL)
    exit 4                             ! execve failed

execd:
    exit 3

    .data
msg:
    .ascii "robust ok\n"
    .align 8
! struct robust_list_head: first entry (set at run time), futex offset, list_op_pending
head:
    .quad 0, 8, 0
argvec:
    .quad 0, again, 0
again:
    .asciz "again"
    .bss
    .align 8
status:
    .skip 8
