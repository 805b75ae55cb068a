! A fault in a thread without a handler ends the whole process (the main thread
! sleeps in futex_wait meanwhile), with the fault reported as for one thread.
! exit: 139
! stderr: SIGSEGV
    start
    sys 120, 0x3d0f00, stack_top, tid, tid, 0
    {
        cmpedb,0 %r24, 0, %pred1
        addd,1 0, word, %r10
        disp %ctpr2, thread
    }
    {
        ct %ctpr2 ? %pred1
    }
sleep:
    sys 248, %r10, 0, 0, 0             ! futex(&word, FUTEX_WAIT, 0, NULL): forever
    {
        ibranch sleep
    }

thread:
    {
        addd,0 0, 8, %r1
    }
    {
        ldd,0 %r1, 0, %r2              ! page 0 is not mapped
    }
    exit 0

    .bss
    .align 8
tid:
    .skip 8
word:
    .skip 8
stack:
    .skip 0x4000
stack_top:
    .skip 16
