"""Files people hand in (students' work, teachers' observations): what they are, whether
they are kept, their previews, and serving them safely."""
