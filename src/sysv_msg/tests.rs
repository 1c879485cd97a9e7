use super::*;

/// A private queue removed when the test ends.
struct Queue(c_int);
impl Queue {
    fn new() -> Queue {
        Queue(msgget(libc::IPC_PRIVATE, libc::IPC_CREAT | 0o600).unwrap())
    }
    fn send(&self, mtype: c_long, text: &[u8]) {
        send(self.0, &encode(mtype, text), 0).unwrap();
    }
    fn take(&self, msgtyp: c_long, flags: c_int) -> Result<(c_long, Vec<u8>)> {
        let mut buf = [0u8; MTYPE_LEN + 64];
        let n = receive(self.0, &mut buf, msgtyp, flags)?;
        let (t, text) = decode(&buf, n);
        Ok((t, text.to_vec()))
    }
}
impl Drop for Queue {
    fn drop(&mut self) {
        let _ = remove(self.0);
    }
}

#[test]
fn encode_and_decode_round_trip() {
    let buf = encode(7, b"hi");
    assert_eq!(buf.len(), MTYPE_LEN + 2);
    assert_eq!(decode(&buf, 2), (7, &b"hi"[..]));
}

#[test]
fn a_message_comes_back_with_its_type() {
    let q = Queue::new();
    q.send(3, b"three");
    assert_eq!(q.take(0, libc::IPC_NOWAIT).unwrap(), (3, b"three".to_vec()));
}

#[test]
fn mtype_zero_or_negative_is_einval() {
    let q = Queue::new();
    for mtype in [0, -1] {
        let e = send(q.0, &encode(mtype, b"x"), 0).unwrap_err();
        assert_eq!(e.errno(), libc::EINVAL);
        assert!(e.message().contains("must be > 0"), "{e}");
    }
}

#[test]
fn a_buffer_shorter_than_mtype_is_einval() {
    let q = Queue::new();
    assert_eq!(send(q.0, &[1, 2], 0).unwrap_err().errno(), libc::EINVAL);
    assert_eq!(receive(q.0, &mut [0; 2], 0, 0).unwrap_err().errno(), libc::EINVAL);
}

#[test]
fn a_text_above_msgmax_is_einval_naming_msgmax() {
    let q = Queue::new();
    let max = msgmax().unwrap();
    let e = send(q.0, &encode(1, &vec![0; max + 1]), 0).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.message().contains("msgmax"), "{e}");
}

#[test]
fn a_text_above_msg_qbytes_is_einval_naming_msg_qbytes_instead_of_waiting_forever() {
    let q = Queue::new();
    let mut ds = stat(q.0).unwrap();
    ds.msg_qbytes = 100;
    set(q.0, &ds).unwrap();
    let e = send(q.0, &encode(1, &[0; 150]), 0).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.message().contains("msg_qbytes (100 bytes)"), "{e}");
}

#[test]
fn a_full_queue_with_ipc_nowait_is_eagain() {
    let q = Queue::new();
    let mut ds = stat(q.0).unwrap();
    ds.msg_qbytes = 100;
    set(q.0, &ds).unwrap();
    q.send(1, &[0; 100]);
    let e = send(q.0, &encode(1, b"x"), libc::IPC_NOWAIT).unwrap_err();
    assert_eq!(e.errno(), libc::EAGAIN);
    assert!(e.message().contains("full"), "{e}");
}

#[test]
fn msg_copy_without_ipc_nowait_is_einval() {
    let q = Queue::new();
    let e = q.take(0, MSG_COPY).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.message().contains("IPC_NOWAIT"), "{e}");
    let e = q.take(0, MSG_COPY | MSG_EXCEPT | libc::IPC_NOWAIT).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
}

#[test]
fn msg_copy_of_a_longer_text_is_einval_explained_even_with_msg_noerror() {
    let q = Queue::new();
    q.send(1, b"a text of twenty-four by");
    let mut buf = [0u8; MTYPE_LEN + 4];
    match receive(q.0, &mut buf, 0, MSG_COPY | libc::IPC_NOWAIT | libc::MSG_NOERROR) {
        Err(e) if e.errno() == libc::ENOSYS => {} // kernel without CONFIG_CHECKPOINT_RESTORE
        Err(e) => {
            assert_eq!(e.errno(), libc::EINVAL);
            assert!(e.message().contains("never cuts a copy short"), "{e}");
        }
        Ok(n) => panic!("MSG_COPY cut a copy to {n} bytes"),
    }
}

#[test]
fn enomsg_names_the_selection() {
    let q = Queue::new();
    let e = q.take(-4, libc::IPC_NOWAIT).unwrap_err();
    assert_eq!(e.errno(), libc::ENOMSG);
    assert!(e.message().contains("type <= 4"), "{e}");
}

#[test]
fn unknown_msgctl_command_and_negative_id_are_einval() {
    assert_eq!(Command::check(0, 999).unwrap_err().errno(), libc::EINVAL);
    assert_eq!(Command::check(-1, libc::IPC_STAT).unwrap_err().errno(), libc::EINVAL);
    assert_eq!(Command::check(0, MSG_STAT_ANY).unwrap(), Command::StatAny);
}

#[test]
fn a_removed_queue_is_einval_saying_so() {
    let id = msgget(libc::IPC_PRIVATE, 0o600).unwrap();
    remove(id).unwrap();
    let e = stat(id).unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    assert!(e.message().contains("no queue has id"), "{e}");
}
