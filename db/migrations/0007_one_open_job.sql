-- 0007: at most one unfinished (queued or running) job of each kind per class, kept
-- by the database itself: two confirmations of a cleanup, or two presses of
-- "Provision", that race past the check in Go cannot both start a job (issue 13:
-- eight parallel confirmations made eight cleanup jobs of one class). A second
-- insert fails with a UNIQUE constraint error, which CreatePlannedJob reports as
-- ErrJobOpen naming the job that is open.
--
-- Duplicates that race left behind are closed first, or the index could not be
-- built: the oldest open job of a class and kind stays (it has done the most), and
-- the others end failed, saying why. Their items are left as they are.
UPDATE jobs
SET state = 'failed',
    owner = '',
    error = 'closed by migration 0007: job ' ||
        (SELECT MIN(o.id) FROM jobs o WHERE o.class_id = jobs.class_id AND o.kind = jobs.kind AND o.state IN ('queued', 'running')) ||
        ' of the same kind was already unfinished for this class, and only one may be',
    updated_at = CAST(strftime('%s', 'now') AS INTEGER)
WHERE state IN ('queued', 'running')
  AND id > (SELECT MIN(o.id) FROM jobs o WHERE o.class_id = jobs.class_id AND o.kind = jobs.kind AND o.state IN ('queued', 'running'));

CREATE UNIQUE INDEX jobs_one_open ON jobs(class_id, kind) WHERE state IN ('queued', 'running');
