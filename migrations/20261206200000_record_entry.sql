-- How a record was made (api.md "Sync", `entry`): 'field' (the guided flow on a phone), 'desk'
-- (the one-page form at a desk) or 'sheet' (a row of a spreadsheet read in the browser). Every
-- record stored before this column existed came from the field app. Its canonical JSON, and so
-- its content hash, leaves `entry` out when it is 'field': those hashes stay as they are.
ALTER TABLE records ADD COLUMN entry TEXT NOT NULL DEFAULT 'field';

-- The version of the packing of `report_attributes` (ethos_shared::report::PACKING_VERSION) the
-- row was packed with. Rows of an older version are rewritten from their columns by the server
-- (the report reads them from their columns until then). Existing rows are version 1.
ALTER TABLE records ADD COLUMN report_attributes_version INTEGER NOT NULL DEFAULT 1;
