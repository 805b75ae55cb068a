! exit: 132
! stderr: undecodable wide instruction
! Bytes that are no wide instruction: SIGILL, with the reason.
    start
    .word 0x00000012, 0xffffffff
    exit 0
