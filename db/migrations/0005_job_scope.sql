-- 0005: what part of the class a job covers: "" for the whole class, a student's
-- slug for "clean up one student", so a resumed or verified job keeps its scope.
ALTER TABLE jobs ADD COLUMN scope TEXT NOT NULL DEFAULT '';
