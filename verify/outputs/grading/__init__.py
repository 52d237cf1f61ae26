"""Grading a class (`python -m verify grade DIR`): a rubric (`rubric`), every sheet judged against
truths computed once (`grades`), the gradebook and feedback files (`gradebook`, `feedback`) and the
grader's figure (`figure`)."""
