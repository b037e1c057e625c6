-- Payroll (Oracle, AL32UTF8): the EMPLOYEES table behind the `payroll` system of
-- pipelines/customer-identity.yaml. Lengths are in bytes, so ä and ö take two each.
-- `ripple check` compares schemas/payroll.employee.json with this table (source: in the
-- pipeline) and reports drift when the two disagree.
CREATE TABLE EMPLOYEES (
    EMPLOYEE_ID   NUMBER(10)          NOT NULL,
    LOGIN         VARCHAR2(12 BYTE)   NOT NULL,
    DISPLAY_NAME  VARCHAR2(60 BYTE)   NOT NULL,
    STREET        VARCHAR2(120 BYTE)  NOT NULL,
    CONSTRAINT EMPLOYEES_PK PRIMARY KEY (EMPLOYEE_ID)
);
