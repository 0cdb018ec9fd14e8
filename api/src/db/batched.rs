//! Group commit: rows that many requests write at the same moment, written by one statement.
//!
//! A request hands its rows in and waits until they are written; nothing it shows goes out
//! before. The first request to find nobody writing takes every row handed in so far (its own
//! among them) and writes them with its own connection, in one statement that commits on its
//! own; the requests that came meanwhile wait for it, and the first of them that finds its rows
//! still waiting writes the next batch. Under load a batch holds the rows of every request
//! that came while the one before was being written, so each commit (and each round trip)
//! serves many requests; alone, a request writes its own at once, as before.
//!
//! Used for the audit rows of unmasked reads (`db::petitions::record_contact_reads`): at
//! 100,000 petitions pgbench ran a point select with its audit insert at 8,800 a second and
//! eight point selects with one insert of their eight audit rows at 2,500 (20,000 reads a
//! second).

use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};

/// Rows of type `R` waiting to be written, and the batch they go in.
#[derive(Debug)]
pub struct Batched<R> {
    queue: Mutex<Queue<R>>,
    written: Condvar,
}

#[derive(Debug)]
struct Queue<R> {
    /// Rows handed in and not yet taken by a writer: the next batch.
    pending: Vec<R>,
    /// The next batch's outcome, shared by every request whose rows are in it: empty until its
    /// writer is done, then whether it was written. Each request keeps its own batch's, so no
    /// outcome is ever looked up among others or forgotten.
    next: Arc<OnceLock<bool>>,
    /// Whether a request is writing a batch now.
    writing: bool,
}

/// A batch written by another request failed: the rows of this one were not written either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotWritten;

impl<R> Default for Batched<R> {
    fn default() -> Self {
        Batched {
            queue: Mutex::new(Queue {
                pending: Vec::new(),
                next: Arc::default(),
                writing: false,
            }),
            written: Condvar::new(),
        }
    }
}

impl<R> Batched<R> {
    fn lock(&self) -> MutexGuard<'_, Queue<R>> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes `rows` (with whatever other requests handed in meanwhile), returning once they
    /// are written: `write` is called with this request's connection when it writes a batch.
    /// A batch another request wrote and that failed answers [`NotWritten`]; one this request
    /// wrote answers `write`'s own error.
    pub fn write<C, E: From<NotWritten>>(
        &self,
        conn: &mut C,
        rows: Vec<R>,
        write: impl FnOnce(&mut C, &[R]) -> Result<(), E>,
    ) -> Result<(), E> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut queue = self.lock();
        let mine = Arc::clone(&queue.next);
        queue.pending.extend(rows);
        loop {
            if let Some(&ok) = mine.get() {
                return if ok { Ok(()) } else { Err(NotWritten.into()) };
            }
            if !queue.writing {
                // Nobody is writing and this request's batch has no outcome: a writer records
                // one before it lets go, so the batch was not taken and it is this request's
                // to write.
                debug_assert!(Arc::ptr_eq(&queue.next, &mine), "rows still waiting");
                let batch = std::mem::take(&mut queue.pending);
                queue.next = Arc::default();
                queue.writing = true;
                drop(queue);
                let mut done = Done {
                    batched: self,
                    outcome: mine,
                    ok: false,
                };
                let result = write(conn, &batch);
                done.ok = result.is_ok();
                drop(done);
                return result;
            }
            queue = self.written.wait(queue).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Rows handed in and waiting for a writer.
    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.lock().pending.len()
    }
}

/// Records a batch's outcome and wakes its waiters when its writer is done — also if the
/// writer panicked (as failed), so that nobody waits for ever.
struct Done<'a, R> {
    batched: &'a Batched<R>,
    outcome: Arc<OnceLock<bool>>,
    ok: bool,
}

impl<R> Drop for Done<'_, R> {
    fn drop(&mut self) {
        let mut queue = self.batched.lock();
        // Under the lock, before `writing` is cleared: a waiter that finds nobody writing
        // finds its outcome too, if its batch was taken.
        let _ = self.outcome.set(self.ok);
        queue.writing = false;
        drop(queue);
        self.batched.written.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[derive(Debug, Clone, PartialEq)]
    struct Failed;
    impl From<NotWritten> for Failed {
        fn from(_: NotWritten) -> Self {
            Failed
        }
    }

    /// Waits (yielding, not sleeping) until `n` rows are handed in and waiting.
    fn until_waiting(b: &Batched<u32>, n: usize) {
        while b.waiting() != n {
            std::thread::yield_now();
        }
    }

    /// A request alone writes its own rows at once; requests that come while a batch is being
    /// written wait, and the first of them writes all their rows in one batch; when that batch
    /// fails, every request in it answers an error and none that was written does.
    #[test]
    fn rows_that_come_while_a_batch_is_written_go_in_the_next_one_together() {
        let b = Arc::new(Batched::<u32>::default());
        let batches = Arc::new(Mutex::new(Vec::<Vec<u32>>::new()));
        assert_eq!(
            b.write(&mut (), vec![1], |_, rows| {
                batches.lock().expect("not poisoned").push(rows.to_vec());
                Ok::<_, Failed>(())
            }),
            Ok(())
        );
        for fail_second in [false, true] {
            batches.lock().expect("not poisoned").clear();
            let (writing, go) = (mpsc::channel::<()>(), mpsc::channel::<()>());
            let (tell_writing, wait_writing) = writing;
            let (let_go, wait_go) = go;
            let first = {
                let (b, batches) = (Arc::clone(&b), Arc::clone(&batches));
                std::thread::spawn(move || {
                    b.write(&mut (), vec![10], |_, rows| {
                        tell_writing.send(()).expect("the other side waits");
                        wait_go.recv().expect("the other side sends");
                        batches.lock().expect("not poisoned").push(rows.to_vec());
                        Ok::<_, Failed>(())
                    })
                })
            };
            wait_writing.recv().expect("the other side sends");
            let mut others = Vec::new();
            for i in 0..3u32 {
                let (handed, batches) = (Arc::clone(&b), Arc::clone(&batches));
                others.push(std::thread::spawn(move || {
                    handed.write(&mut (), vec![20 + i, 30 + i], |_, rows| {
                        batches.lock().expect("not poisoned").push(rows.to_vec());
                        if fail_second {
                            Err(Failed)
                        } else {
                            Ok(())
                        }
                    })
                }));
                until_waiting(&b, 2 * (i as usize + 1));
            }
            let_go.send(()).expect("the other side waits");
            assert_eq!(
                first.join().expect("joined"),
                Ok(()),
                "the first batch was written"
            );
            let outcomes: Vec<_> = others
                .into_iter()
                .map(|t| t.join().expect("joined"))
                .collect();
            let expected = if fail_second { Err(Failed) } else { Ok(()) };
            assert_eq!(outcomes, vec![expected; 3]);
            let mut written = batches.lock().expect("not poisoned").clone();
            written[1].sort_unstable();
            assert_eq!(written, vec![vec![10], vec![20, 21, 22, 30, 31, 32]]);
            assert_eq!(b.waiting(), 0);
        }
    }

    /// A writer that panics fails its batch; the requests waiting on it are not left waiting.
    #[test]
    fn a_writer_that_panics_fails_its_batch_and_wakes_the_others() {
        let b = Arc::new(Batched::<u32>::default());
        let (tell_writing, wait_writing) = mpsc::channel::<()>();
        let (let_go, wait_go) = mpsc::channel::<()>();
        let first = {
            let b = Arc::clone(&b);
            std::thread::spawn(move || {
                b.write(&mut (), vec![1], |_, _| -> Result<(), Failed> {
                    tell_writing.send(()).expect("the other side waits");
                    wait_go.recv().expect("the other side sends");
                    panic!("the writer fails");
                })
            })
        };
        wait_writing.recv().expect("the other side sends");
        let second = {
            let b = Arc::clone(&b);
            std::thread::spawn(move || b.write(&mut (), vec![2], |_, _| Ok::<_, Failed>(())))
        };
        until_waiting(&b, 1);
        let_go.send(()).expect("the other side waits");
        assert!(first.join().is_err(), "the writer panicked");
        assert_eq!(
            second.join().expect("joined"),
            Ok(()),
            "written by the next writer"
        );
    }
}
