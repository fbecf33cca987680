-- 0009: a token's scope. An Open311 `api_key` travels in URLs and form bodies, so it is a key of
-- its own: scope `open311` works only as `api_key` under /open311/v2 (never under /api/v1, so it
-- cannot read applicants), and only a token of that scope is accepted there. Tokens issued
-- before this migration keep the API scope; an Open311 client needs a new key
-- (`deskcli staff token create NAME --scope open311`).
ALTER TABLE token ADD COLUMN scope TEXT NOT NULL DEFAULT 'api' CHECK (scope IN ('api', 'open311'));
