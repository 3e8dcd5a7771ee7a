"""The review loop: find likely label errors, pick sentences worth a human look, apply decisions."""
