"""Check my backprop: run a learner's script or notebook in a contained subprocess
(``script_run``, ``check_runner``), record the values its code held (``timeline``), find the
exercise's inputs (``inputs``) and judge every quantity (``checker``; the course's next
exercise in ``epochs``; known mistakes in ``hints``), then render the report (``report``)."""
