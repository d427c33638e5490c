-- Document numbers are compared with the letter O read as the digit 0.
CREATE INDEX statements_document_number ON statements (replace(key, 'O', '0')) WHERE property = 'number';
