-- Same constraints in another spelling; nothing to undo.
SELECT 1;
