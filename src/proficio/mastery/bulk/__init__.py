"""The machinery of the bulk path (`mastery.recompute`) and of the policy preview
(`mastery.preview`): a district and a chunk of its evidence as NumPy arrays (`arrays`),
every record of the chunk computed from them (`computing`), compared with what is stored and
written in bulk (`writing`, on the SQL of `sql`)."""
