-- 0014: the named backup of a desk staff member (Decree 118/2025 art. 11; Decree 61/2018 art.
-- 12(8)): who takes the counter when the member is away. A username; kept when either leaves.
ALTER TABLE staff ADD COLUMN backup TEXT REFERENCES staff (username);
