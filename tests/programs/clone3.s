! clone3 (struct clone_args) and E2K's clone2 (stack as base + size) start threads as
! clone does: each child runs on the top of the area it was given, stores a value and
! exits; the parent joins it through the id word the kernel clears. clone3 refuses a
! short structure (-EINVAL) and what clone cannot do, such as pidfds (-ENOSYS).
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        addd,0 0, args, %r6
        addd,1 0, stack1, %r7
    }
    {
        std,2 %r6, 40, %r7             ! args.stack
    }
    sys 426, args, 88                  ! clone3
    {
        cmpedb,0 %r24, 0, %pred1
        cmpldb,1 %r24, 0, %pred2
        disp %ctpr2, child1
    }
    {
        ct %ctpr2 ? %pred1
    }
    failif %pred2, 1
    {
        addd,0 0, tid1, %r16
    }
    {
        disp %ctpr1, join
    }
    {
        call %ctpr1, wbs = 0x8
    }
    {
        addd,0 0, value, %r6
    }
    {
        ldd,0 %r6, 0, %r7
    }
    check %r7, 7, 2

    sys 229, 0x3d0f00, stack2, 0x4000, tid2, tid2, 0   ! clone2
    {
        cmpedb,0 %r24, 0, %pred1
        cmpldb,1 %r24, 0, %pred2
        disp %ctpr2, child2
    }
    {
        ct %ctpr2 ? %pred1
    }
    failif %pred2, 3
    {
        addd,0 0, tid2, %r16
    }
    {
        disp %ctpr1, join
    }
    {
        call %ctpr1, wbs = 0x8
    }
    {
        addd,0 0, value, %r6
    }
    {
        ldd,0 %r6, 0, %r7
    }
    check %r7, 8, 4

    sys 426, args, 8
    check %r24, -22, 5
    sys 426, args_pidfd, 88
    check %r24, -38, 6
    print msg, 10
    exit 0

! join: waits until the id word at %r16 (caller's %r10) is 0.
join:
    {
        setwd wsz = 0x10, nfx = 1
    }
jloop:
    {
        ldw,0 %r0, 0, %r1
        disp %ctpr2, joined
    }
    {
        cmpesb,0 %r1, 0, %pred1
    }
    {
        ct %ctpr2 ? %pred1
    }
    sys 248, %r0, 0, %r1, 0            ! futex(word, FUTEX_WAIT, seen, NULL)
    {
        ibranch jloop
    }
joined:
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

! The children: the data stack must be the top of the area they were given.
child1:
    {
        getsp,0 0, %r1
        addd,1 0, stack1, %r2
    }
    {
        addd,0 %r2, 0x4000, %r2
    }
    {
        cmpbedb,0 %r1, %r2, %pred3     ! sp <= top
        subd,1 %r2, 0x4000, %r2
    }
    {
        cmpbdb,0 %r2, %r1, %pred4      ! base < sp
    }
    checkp %pred3, 20
    checkp %pred4, 21
    {
        addd,0 0, value, %r6
        addd,1 0, 7, %r7
    }
    {
        std,2 %r6, 0, %r7
    }
    exit 0

child2:
    {
        getsp,0 0, %r1
        addd,1 0, stack2, %r2
    }
    {
        addd,0 %r2, 0x4000, %r2
    }
    {
        cmpbedb,0 %r1, %r2, %pred3
        subd,1 %r2, 0x4000, %r2
    }
    {
        cmpbdb,0 %r2, %r1, %pred4
    }
    checkp %pred3, 22
    checkp %pred4, 23
    {
        addd,0 0, value, %r6
        addd,1 0, 8, %r7
    }
    {
        std,2 %r6, 0, %r7
    }
    exit 0

    .data
msg:
    .ascii "clone3 ok\n"
    .balign 8
! flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
! set_tid, set_tid_size, cgroup
args:
    .quad 0x3d0f00, 0, tid1, tid1, 0, 0, 0x4000, 0, 0, 0, 0
args_pidfd:
    .quad 0x3d1f00, 0, tid1, tid1, 0, 0, 0x4000, 0, 0, 0, 0
    .bss
    .balign 16
tid1:
    .skip 8
tid2:
    .skip 8
value:
    .skip 8
stack1:
    .skip 0x4000
stack2:
    .skip 0x4000
