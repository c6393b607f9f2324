"""Writes the bundled demo files (assets/demo/*). Run once; the outputs are committed.

One EUR account reported in camt.053 (1-13 Nov 2026) then MT940 (16-27 Nov 2026), one USD account
in BAI2, and a ledger extract with the noise a clerk meets: date lags, garbled references, a batch
payment, a bank charge, bank-only fees and outstanding ledger items.
"""
from decimal import Decimal as D

EUR_ACC = "NL91ABNA0417164300"
USD_ACC = "000123456789"

# (booking day, amount, end-to-end ref, counterparty, remittance)
camt_lines = [
    (2, D("1250.00"), "INV-2026-1001", "Northwind Traders BV", "Invoice 2026-1001"),
    (3, D("-480.25"), "PO-77812", "Globex Supplies GmbH", "PO 77812 office chairs"),
    (4, D("3200.00"), "INV-2026-1002", "Initech BV", "INV 2026/1002"),
    (5, D("-12.50"), None, None, "Account maintenance fee October"),
    (6, D("845.10"), "INV-2026-1004", "Umbrella Retail SA", "Payment invoice 2026-1004"),
    (9, D("-2300.00"), "SAL-2026-11", "Payroll Run", "Salaries November advance"),
    (10, D("5000.00"), "BATCH-8841", "Stark Industries AG", "Invoices 1005 1006 1007"),
    (11, D("-99.99"), "PO-77815", "Hooli Cloud Ltd", "Subscription November"),
    (12, D("1990.00"), "INV-2026-1008", "Wayne Holdings Inc", "Invoice 1008 less charges"),
    (13, D("0.42"), None, None, "Credit interest"),
]
mt940_lines = [
    (16, D("720.00"), "INV-2026-1010", "Vandelay Industries", "/EREF/INV-2026-1010/REMI/Invoice 1010/NAME/Vandelay Industries"),
    (17, D("-1500.00"), "RENT-NOV", "Oceanic Real Estate", "/EREF/RENT-NOV/REMI/Rent November/NAME/Oceanic Real Estate"),
    (18, D("410.40"), "INV-2026-1011", "Soylent Foods BV", "/EREF/INV-2026-1011/REMI/Invoice 1011/NAME/Soylent Foods BV"),
    (19, D("410.40"), "INV-2026-1012", "Tyrell Systems", "/EREF/INV-2026-1012/REMI/Invoice 1012/NAME/Tyrell Systems"),
    (20, D("-75.00"), "PO-77820", "Cyberdyne Energy", "/EREF/PO-77820/REMI/Fuel card/NAME/Cyberdyne Energy"),
    (23, D("600.00"), "INV-2026-1013", "Wonka Foods Ltd", "/EREF/INV-2026-1013/REMI/Instalment 1 of 2/NAME/Wonka Foods Ltd"),
    (24, D("600.00"), "INV-2026-1013", "Wonka Foods Ltd", "/EREF/INV-2026-1013/REMI/Instalment 2 of 2/NAME/Wonka Foods Ltd"),
    (25, D("-8.75"), None, None, "/REMI/Bank charges foreign payment"),
    (26, D("2480.00"), "INV2026 1014", "Pied Piper Inc", "/EREF/INV2026 1014/REMI/Invoice 1014/NAME/Pied Piper Inc"),
    (26, D("250.00"), None, None, "/REMI/Refund"),
]
opening_eur = D("10000.00")

def camt():
    closing = opening_eur + sum(l[1] for l in camt_lines)
    ntry = []
    for day, amt, ref, cp, rmt in camt_lines:
        cd = "CRDT" if amt > 0 else "DBIT"
        party = ""
        if cp:
            role = "Dbtr" if amt > 0 else "Cdtr"
            party = f"<RltdPties><{role}><Nm>{cp}</Nm></{role}></RltdPties>"
        refs = f"<Refs><EndToEndId>{ref}</EndToEndId></Refs>" if ref else ""
        ntry.append(f"""      <Ntry>
        <Amt Ccy="EUR">{abs(amt)}</Amt>
        <CdtDbtInd>{cd}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2026-11-{day:02d}</Dt></BookgDt>
        <ValDt><Dt>2026-11-{day:02d}</Dt></ValDt>
        <AcctSvcrRef>ABN{day:02d}{abs(int(amt*100)) % 100000:05d}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{'RCDT' if amt > 0 else 'ICDT'}</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>{refs}{party}<RmtInf><Ustrd>{rmt}</Ustrd></RmtInf></TxDtls></NtryDtls>
      </Ntry>""")
    body = "\n".join(ntry)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>DEMO-CAMT-20261113</MsgId><CreDtTm>2026-11-13T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>2026-11-A</Id>
      <ElctrncSeqNb>311</ElctrncSeqNb>
      <CreDtTm>2026-11-13T18:00:00</CreDtTm>
      <Acct><Id><IBAN>{EUR_ACC}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{opening_eur}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-01</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-13</Dt></Dt></Bal>
{body}
    </Stmt>
  </BkToCstmrStmt>
</Document>
""", closing

def sw(amount):
    return f"{abs(amount):.2f}".replace(".", ",")

def mt940(opening):
    closing = opening + sum(l[1] for l in mt940_lines)
    out = [":20:DEMO20261127", f":25:{EUR_ACC}", ":28C:312/1", f":60F:C261113EUR{sw(opening)}"]
    for day, amt, ref, cp, info in mt940_lines:
        mark = "C" if amt > 0 else "D"
        out.append(f":61:2611{day:02d}11{day:02d}{mark}{sw(amt)}NTRF{ref or 'NONREF'}//B{day:02d}{abs(int(amt*100)) % 10000:04d}")
        out.append(f":86:{info}")
    out.append(f":62F:C261127EUR{sw(closing)}")
    out.append("-")
    return "\r\n".join(out) + "\r\n"

def bai2():
    d = [(108, 150000, "REF1001", "CUST-5001", "WIRE FROM ACME TRADING"),
         (475, 4200050, "REF1002", "CHK-00991", "CHECK PAID 991"),
         (195, 980000, "REF1003", "CUST-5002", "INCOMING WIRE HOOLI"),
         (699, 2500, "REF1004", "", "SERVICE CHARGE")]
    recs = ["01,DEMOBANK,RECONCO,261127,0600,1,,,2/", "02,RECONCO,DEMOBANK,1,261126,,USD,2/"]
    opening, closing = 5000000, 5000000 + 150000 - 4200050 + 980000 - 2500
    acct = [f"03,{USD_ACC},USD,010,{opening},,,015,{closing},,/"]
    for code, amt, bref, cref, text in d:
        acct.append(f"16,{code},{amt},0,{bref},{cref},{text}/")
    total = opening + closing + sum(x[1] for x in d)
    acct.append(f"49,{total},{len(acct)+1}/")
    recs += acct
    recs.append(f"98,{total},1,{len(acct)+2}/")
    recs.append(f"99,{total},1,{len(recs)+1}/")
    return "\n".join(recs) + "\n"

ledger = [
    # entry_id, account, date, amount, currency, reference, description
    ("GL-1001", EUR_ACC, "2026-11-02", "1250.00", "EUR", "INV-2026-1001", "Northwind Traders invoice 1001"),
    ("GL-1002", EUR_ACC, "2026-11-01", "-480.25", "EUR", "PO-77812", "Globex chairs"),
    ("GL-1003", EUR_ACC, "2026-11-04", "3200.00", "EUR", "INV-2026-1002", "Initech invoice 1002"),
    ("GL-1004", EUR_ACC, "2026-11-03", "845.10", "EUR", "INV-2026-1004", "Umbrella Retail invoice 1004"),
    ("GL-1005", EUR_ACC, "2026-11-09", "-2300.00", "EUR", "SAL-2026-11", "Payroll advance"),
    ("GL-1006", EUR_ACC, "2026-11-08", "1500.00", "EUR", "INV-2026-1005", "Stark invoice 1005"),
    ("GL-1007", EUR_ACC, "2026-11-08", "2000.00", "EUR", "INV-2026-1006", "Stark invoice 1006"),
    ("GL-1008", EUR_ACC, "2026-11-08", "1500.00", "EUR", "INV-2026-1007", "Stark invoice 1007"),
    ("GL-1009", EUR_ACC, "2026-11-11", "-99.99", "EUR", "PO-77815", "Hooli subscription"),
    ("GL-1010", EUR_ACC, "2026-11-10", "2000.00", "EUR", "INV-2026-1008", "Wayne invoice 1008"),
    ("GL-1011", EUR_ACC, "2026-11-14", "720.00", "EUR", "INV-2026-1010", "Vandelay invoice 1010"),
    ("GL-1012", EUR_ACC, "2026-11-17", "-1500.00", "EUR", "RENT-NOV", "Office rent November"),
    ("GL-1013", EUR_ACC, "2026-11-18", "410.40", "EUR", "INV-2026-1011", "Soylent invoice 1011"),
    ("GL-1014", EUR_ACC, "2026-11-19", "410.40", "EUR", "INV-2026-1012", "Tyrell invoice 1012"),
    ("GL-1015", EUR_ACC, "2026-11-20", "-75.00", "EUR", "PO-77820", "Fuel card"),
    ("GL-1016", EUR_ACC, "2026-11-22", "1200.00", "EUR", "INV-2026-1013", "Wonka invoice 1013"),
    ("GL-1017", EUR_ACC, "2026-11-26", "2480.00", "EUR", "INV-2026-1014", "Pied Piper invoice 1014"),
    ("GL-1018", EUR_ACC, "2026-11-27", "-640.00", "EUR", "CHQ-000123", "Cheque 123 to Gringotts (outstanding)"),
    ("GL-1019", EUR_ACC, "2026-11-27", "315.00", "EUR", "DEP-2026-47", "Deposit in transit"),
    # Two refunds of the same amount on the same day and one bank line without a reference: the
    # ambiguity guard makes both pairs suggestions for a person to decide.
    ("GL-1020", EUR_ACC, "2026-11-26", "250.00", "EUR", "RF-501", "Customer refund"),
    ("GL-1021", EUR_ACC, "2026-11-26", "250.00", "EUR", "RF-502", "Customer refund"),
    ("GL-2001", USD_ACC, "2026-11-26", "1500.00", "USD", "CUST-5001", "Acme Trading wire"),
    ("GL-2002", USD_ACC, "2026-11-24", "-42000.50", "USD", "CHK-00991", "Check 991"),
    ("GL-2003", USD_ACC, "2026-11-26", "9800.00", "USD", "CUST-5002", "Hooli wire"),
]

camt_xml, closing = camt()
open("statements/demo-2026-11-a.camt053.xml", "w").write(camt_xml)
open("statements/demo-2026-11-b.sta", "w", newline="").write(mt940(closing))
open("statements/demo-usd.bai", "w").write(bai2())
with open("ledger.csv", "w") as f:
    f.write("entry_id,account,posting_date,amount,currency,reference,description\n")
    for row in ledger:
        f.write(",".join(row) + "\n")
