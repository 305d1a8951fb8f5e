DROP TABLE eligibility_proposals;
DROP TABLE month_signatures;
DROP TABLE delegations;
DROP TABLE signatories;
DROP TABLE signing_keys;
