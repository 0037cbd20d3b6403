"""GitHub Classroom: the students' starter repository (``student_repo``) and the report its workflow posts (``report``)."""
