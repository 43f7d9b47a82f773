namespace Eindkomst
{
    /// <summary>
    /// What went wrong in a <see cref="Finding"/>: one value per kind of the
    /// engine's error (numbers as in <c>eik_error_kind</c>, stable and never reused).
    /// A number this version does not know is passed through as is.
    /// </summary>
    public enum ErrorKind
    {
        /// <summary>A kind this version of the C API does not know (a newer core); see Finding.Code.</summary>
        Unknown = 0,
        /// <summary>The stream holds no record at all.</summary>
        EmptyInput = 1,
        /// <summary>The stream starts with a UTF-8 byte order mark (the format is ISO-8859-1).</summary>
        Utf8Bom = 2,
        /// <summary>An empty line between records.</summary>
        BlankLine = 3,
        /// <summary>A line longer than any record; expected = the limit in bytes.</summary>
        LineTooLong = 4,
        /// <summary>A line too short to hold Lb_nr and Rec_nr (11 bytes).</summary>
        LineTooShort = 5,
        /// <summary>The line length differs from the record type's; expected/found = lengths.</summary>
        WrongLength = 6,
        /// <summary>The line is UTF-8 encoded, so positions shifted.</summary>
        Utf8Encoded = 7,
        /// <summary>A carriage return not followed by a line feed.</summary>
        BareCarriageReturn = 8,
        /// <summary>A byte outside ISO-8859-1's printable range; found = the byte.</summary>
        ByteOutsideCharset = 9,
        /// <summary>Rec_nr names no known record type.</summary>
        UnknownRecordType = 10,
        /// <summary>A numeric field holds something other than digits.</summary>
        NotDigit = 11,
        /// <summary>A mandatory field is blank.</summary>
        MissingMandatory = 12,
        /// <summary>A field mandatory only in TaxCardBuilder's model is blank (warning).</summary>
        MissingField = 13,
        /// <summary>Not a real calendar date.</summary>
        InvalidDate = 14,
        /// <summary>Not a real time of day.</summary>
        InvalidTime = 15,
        /// <summary>A value outside a closed value set.</summary>
        InvalidCode = 16,
        /// <summary>A value outside an open value set (warning).</summary>
        UnknownCode = 17,
        /// <summary>A sign field that is not + or -.</summary>
        InvalidSign = 18,
        /// <summary>An amount with digits below 1 øre (warning).</summary>
        SubOrePrecision = 19,
        /// <summary>A 6000 with neither CPR nor SE-nr.</summary>
        NoIdentity = 20,
        /// <summary>6000 TIN_landekode differs from the following 8001 Landekode (warning).</summary>
        CountryMismatch = 21,
        /// <summary>A record whose parent is missing; expected = the parent record type.</summary>
        OutOfOrder = 22,
        /// <summary>A record under a rejected parent.</summary>
        ParentRejected = 23,
        /// <summary>More than 3 holiday-pay records under one person (warning).</summary>
        TooManyHolidayRecords = 24,
        /// <summary>The first record is not a 1000.</summary>
        MissingStartRecord = 25,
        /// <summary>A second 1000.</summary>
        DuplicateStartRecord = 26,
        /// <summary>A record after the 9999.</summary>
        RecordAfterEnd = 27,
        /// <summary>The stream ended without a 9999.</summary>
        MissingEndRecord = 28,
        /// <summary>The last line has no terminator and is shorter than its record.</summary>
        TruncatedLastLine = 29,
        /// <summary>Lb_nr skips numbers; expected/found = Lb_nr due / found.</summary>
        LbNrGap = 30,
        /// <summary>Lb_nr repeats or goes back; expected/found = Lb_nr due / found.</summary>
        LbNrRepeat = 31,
        /// <summary>9999 Antal_records is wrong; expected = records counted, found = stated.</summary>
        ControlCount = 32,
        /// <summary>9999 Antal_records is one more than counted (warning).</summary>
        ControlCountPlusOne = 33,
        /// <summary>A character outside the Base64 alphabet; found = the byte.</summary>
        InvalidBase64 = 34,
        /// <summary>Misplaced Base64 padding.</summary>
        Base64Padding = 35,
        /// <summary>The Base64 text ends inside a 4-character group.</summary>
        Base64Truncated = 36,
    }

    /// <summary>What kind of finding a <see cref="Finding"/> is (<c>eik_finding</c>).</summary>
    public enum FindingType
    {
        /// <summary>A line that could not be decoded: counted as rejected, no record.</summary>
        Rejected = 1,
        /// <summary>A problem of the stream rather than of one line; no line is dropped by it.</summary>
        Error = 2,
        /// <summary>Something uncertain about a record that was decoded.</summary>
        Warning = 3,
    }
}
