! Processes: fork gives the child 0 and the parent the child's pid; wait4 collects
! the child's exit status; execve of an E2K program (this one again, with an
! argument) runs it under the emulator, and its status comes back through wait4;
! clone(CLONE_VM | CLONE_VFORK, stack), as posix_spawn makes it, starts a child
! process on the given stack.
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

    sys 2                              ! fork
    {
        cmpedb,0 %r24, 0, %pred2
        addd,1 0, %r24, %r8
        disp %ctpr2, child
    }
    {
        ct %ctpr2 ? %pred2
    }
    sys 114, %r8, status, 0, 0         ! wait4(pid, &status, 0, NULL)
    {
        cmpedb,0 %r24, %r8, %pred3
    }
    failif ~%pred3, 1
    {
        ldw,0 0, status, %r9
    }
    {
        shrd,0 %r9, 8, %r9
    }
    {
        andd,0 %r9, 0xff, %r9
    }
    check %r9, 7, 2                    ! WEXITSTATUS

    sys 2                              ! fork, then execve in the child
    {
        cmpedb,0 %r24, 0, %pred2
        addd,1 0, %r24, %r8
        disp %ctpr2, exec_child
    }
    {
        ct %ctpr2 ? %pred2
    }
    sys 114, %r8, status, 0, 0
    {
        ldw,0 0, status, %r9
    }
    {
        shrd,0 %r9, 8, %r9
    }
    {
        andd,0 %r9, 0xff, %r9
    }
    check %r9, 3, 3                    ! the exec'd program's status

    sys 120, 0x4111, spawn_top, 0, 0, 0     ! clone(CLONE_VM | CLONE_VFORK | SIGCHLD, stack)
    {
        cmpedb,0 %r24, 0, %pred2
        cmpldb,1 %r24, 0, %pred4
        addd,2 0, %r24, %r8
        disp %ctpr2, spawn_child
    }
    {
        ct %ctpr2 ? %pred2
    }
    failif %pred4, 4
    sys 114, %r8, status, 0, 0
    {
        ldw,0 0, status, %r9
    }
    {
        shrd,0 %r9, 8, %r9
    }
    {
        andd,0 %r9, 0xff, %r9
    }
    check %r9, 9, 5                    ! the child ran on its own stack
    print msg, 11
    exit 0

child:
    print cmsg, 6
    exit 7

exec_child:
    {
        addd,0 0, argvec, %r3
    }
    {
        std,2 %r3, 0, %r2              ! argvec = { argv[0], "again", NULL }
    }
    sys 11, %r2, argvec, 0             ! execve(argv[0], argvec, NULL)
    exit 4                             ! execve failed

execd:
    print emsg, 8
    exit 3

spawn_child:
    {
        getsp,0 0, %r0
        addd,1 0, spawn_stack, %r1
        addd,2 0, spawn_top, %r2
    }
    {
        cmpbdb,0 %r0, %r1, %pred5      ! below the given area
        cmpbdb,1 %r2, %r0, %pred6      ! above it
    }
    failif %pred5, 10
    failif %pred6, 11
    exit 9

    .data
argvec:
    .quad 0, again, 0
again:
    .asciz "again"
cmsg:
    .ascii "child\n"
emsg:
    .ascii "exec ok\n"
msg:
    .ascii "process ok\n"
    .bss
status:
    .skip 8
    .align 16
spawn_stack:
    .skip 0x4000
spawn_top:
