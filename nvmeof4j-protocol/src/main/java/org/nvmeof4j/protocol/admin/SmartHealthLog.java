package org.nvmeof4j.protocol.admin;

import java.nio.ByteBuffer;
import java.util.Objects;

import org.nvmeof4j.protocol.nvme.Flyweight;

/**
 * Flyweight over the 512-byte SMART / Health Information log page, LID 02h (NVMe Base 2.0, section 5.16.1.3, Figure
 * "SMART / Health Information Log Page"; Linux {@code struct nvme_smart_log}).
 *
 * <pre>
 *    0  u8    Critical Warning               32  u128  Data Units Read (1000 x 512 bytes, rounded up)
 *    1  u16   Composite Temperature (K)      48  u128  Data Units Written
 *    3  u8    Available Spare (%)            64  u128  Host Read Commands
 *    4  u8    Available Spare Threshold (%)  80  u128  Host Write Commands
 *    5  u8    Percentage Used                96  u128  Controller Busy Time (minutes)
 *    6  u8    Endurance Group Crit. Warning 112  u128  Power Cycles
 *                                           128  u128  Power On Hours
 *                                           144  u128  Unsafe Shutdowns
 *                                           160  u128  Media and Data Integrity Errors
 *                                           176  u128  Number of Error Information Log Entries
 *                                           192  u32   Warning Composite Temperature Time (minutes)
 *                                           196  u32   Critical Composite Temperature Time (minutes)
 *                                           200  u16x8 Temperature Sensor 1..8 (K)
 * </pre>
 *
 * <p>The u128 counters are read and written as their low 64 bits (a value of 2^64 or more needs {@link
 * #counterHigh(int)}); writers clear the high half.
 */
public final class SmartHealthLog extends Flyweight {

    /** Size of the log page. */
    public static final int LENGTH = 512;

    public static final int CRITICAL_WARNING_OFFSET = 0;
    public static final int COMPOSITE_TEMPERATURE_OFFSET = 1;
    public static final int AVAILABLE_SPARE_OFFSET = 3;
    public static final int AVAILABLE_SPARE_THRESHOLD_OFFSET = 4;
    public static final int PERCENTAGE_USED_OFFSET = 5;
    public static final int ENDURANCE_GROUP_CRITICAL_WARNING_OFFSET = 6;
    public static final int DATA_UNITS_READ_OFFSET = 32;
    public static final int DATA_UNITS_WRITTEN_OFFSET = 48;
    public static final int HOST_READ_COMMANDS_OFFSET = 64;
    public static final int HOST_WRITE_COMMANDS_OFFSET = 80;
    public static final int CONTROLLER_BUSY_TIME_OFFSET = 96;
    public static final int POWER_CYCLES_OFFSET = 112;
    public static final int POWER_ON_HOURS_OFFSET = 128;
    public static final int UNSAFE_SHUTDOWNS_OFFSET = 144;
    public static final int MEDIA_ERRORS_OFFSET = 160;
    public static final int ERROR_LOG_ENTRIES_OFFSET = 176;
    public static final int WARNING_TEMPERATURE_TIME_OFFSET = 192;
    public static final int CRITICAL_TEMPERATURE_TIME_OFFSET = 196;
    public static final int TEMPERATURE_SENSOR_OFFSET = 200;

    /** Critical warning bit 0: available spare below threshold. */
    public static final int CRITICAL_WARNING_SPARE = 1;
    /** Critical warning bit 1: temperature out of range. */
    public static final int CRITICAL_WARNING_TEMPERATURE = 1 << 1;
    /** Critical warning bit 2: NVM subsystem reliability degraded. */
    public static final int CRITICAL_WARNING_RELIABILITY = 1 << 2;
    /** Critical warning bit 3: media placed in read-only mode. */
    public static final int CRITICAL_WARNING_READ_ONLY = 1 << 3;
    /** Critical warning bit 4: volatile memory backup device failed. */
    public static final int CRITICAL_WARNING_VOLATILE_MEMORY = 1 << 4;

    /** 0 degrees Celsius in Kelvin as the log page rounds it. */
    public static final int ZERO_CELSIUS_KELVIN = 273;

    /** Points this flyweight at the 512 bytes at {@code offset} of {@code buffer}. */
    public SmartHealthLog wrap(final ByteBuffer buffer, final int offset) {
        wrapBuffer(buffer, offset);
        return this;
    }

    @Override
    public int encodedLength() {
        return LENGTH;
    }

    /** Zeroes the page. */
    public SmartHealthLog clear() {
        zero();
        return this;
    }

    /** Data units as the log page counts them from a byte count: thousands of 512-byte units, rounded up. */
    public static long dataUnits(final long bytes) {
        final long units512 = Long.divideUnsigned(bytes, 512) + (Long.remainderUnsigned(bytes, 512) != 0 ? 1 : 0);
        return Long.divideUnsigned(units512, 1000) + (Long.remainderUnsigned(units512, 1000) != 0 ? 1 : 0);
    }

    /** Critical Warning. */
    public int criticalWarning() {
        return u8(CRITICAL_WARNING_OFFSET);
    }

    public SmartHealthLog criticalWarning(final int v) {
        u8(CRITICAL_WARNING_OFFSET, v);
        return this;
    }

    /** Composite Temperature in Kelvin. */
    public int compositeTemperature() {
        return u16(COMPOSITE_TEMPERATURE_OFFSET);
    }

    public SmartHealthLog compositeTemperature(final int kelvin) {
        u16(COMPOSITE_TEMPERATURE_OFFSET, kelvin);
        return this;
    }

    /** Available Spare, percent. */
    public int availableSpare() {
        return u8(AVAILABLE_SPARE_OFFSET);
    }

    public SmartHealthLog availableSpare(final int v) {
        u8(AVAILABLE_SPARE_OFFSET, v);
        return this;
    }

    /** Available Spare Threshold, percent. */
    public int availableSpareThreshold() {
        return u8(AVAILABLE_SPARE_THRESHOLD_OFFSET);
    }

    public SmartHealthLog availableSpareThreshold(final int v) {
        u8(AVAILABLE_SPARE_THRESHOLD_OFFSET, v);
        return this;
    }

    /** Percentage Used (may exceed 100, capped at 255). */
    public int percentageUsed() {
        return u8(PERCENTAGE_USED_OFFSET);
    }

    public SmartHealthLog percentageUsed(final int v) {
        u8(PERCENTAGE_USED_OFFSET, v);
        return this;
    }

    /** Low 64 bits of the u128 counter at {@code fieldOffset}. */
    public long counter(final int fieldOffset) {
        return i64(checkCounter(fieldOffset));
    }

    /** High 64 bits of the u128 counter at {@code fieldOffset}. */
    public long counterHigh(final int fieldOffset) {
        return i64(checkCounter(fieldOffset) + 8);
    }

    /** Sets the u128 counter at {@code fieldOffset} to the unsigned 64-bit {@code value}. */
    public SmartHealthLog counter(final int fieldOffset, final long value) {
        i64(checkCounter(fieldOffset), value);
        i64(fieldOffset + 8, 0);
        return this;
    }

    /** Data Units Read (low 64 bits). */
    public long dataUnitsRead() {
        return counter(DATA_UNITS_READ_OFFSET);
    }

    public SmartHealthLog dataUnitsRead(final long v) {
        return counter(DATA_UNITS_READ_OFFSET, v);
    }

    /** Data Units Written (low 64 bits). */
    public long dataUnitsWritten() {
        return counter(DATA_UNITS_WRITTEN_OFFSET);
    }

    public SmartHealthLog dataUnitsWritten(final long v) {
        return counter(DATA_UNITS_WRITTEN_OFFSET, v);
    }

    /** Host Read Commands (low 64 bits). */
    public long hostReadCommands() {
        return counter(HOST_READ_COMMANDS_OFFSET);
    }

    public SmartHealthLog hostReadCommands(final long v) {
        return counter(HOST_READ_COMMANDS_OFFSET, v);
    }

    /** Host Write Commands (low 64 bits). */
    public long hostWriteCommands() {
        return counter(HOST_WRITE_COMMANDS_OFFSET);
    }

    public SmartHealthLog hostWriteCommands(final long v) {
        return counter(HOST_WRITE_COMMANDS_OFFSET, v);
    }

    /** Controller Busy Time in minutes (low 64 bits). */
    public long controllerBusyTime() {
        return counter(CONTROLLER_BUSY_TIME_OFFSET);
    }

    public SmartHealthLog controllerBusyTime(final long v) {
        return counter(CONTROLLER_BUSY_TIME_OFFSET, v);
    }

    /** Power Cycles (low 64 bits). */
    public long powerCycles() {
        return counter(POWER_CYCLES_OFFSET);
    }

    public SmartHealthLog powerCycles(final long v) {
        return counter(POWER_CYCLES_OFFSET, v);
    }

    /** Power On Hours (low 64 bits). */
    public long powerOnHours() {
        return counter(POWER_ON_HOURS_OFFSET);
    }

    public SmartHealthLog powerOnHours(final long v) {
        return counter(POWER_ON_HOURS_OFFSET, v);
    }

    /** Unsafe Shutdowns (low 64 bits). */
    public long unsafeShutdowns() {
        return counter(UNSAFE_SHUTDOWNS_OFFSET);
    }

    public SmartHealthLog unsafeShutdowns(final long v) {
        return counter(UNSAFE_SHUTDOWNS_OFFSET, v);
    }

    /** Media and Data Integrity Errors (low 64 bits). */
    public long mediaErrors() {
        return counter(MEDIA_ERRORS_OFFSET);
    }

    public SmartHealthLog mediaErrors(final long v) {
        return counter(MEDIA_ERRORS_OFFSET, v);
    }

    /** Number of Error Information Log Entries (low 64 bits). */
    public long errorLogEntries() {
        return counter(ERROR_LOG_ENTRIES_OFFSET);
    }

    public SmartHealthLog errorLogEntries(final long v) {
        return counter(ERROR_LOG_ENTRIES_OFFSET, v);
    }

    /** Warning Composite Temperature Time, minutes. */
    public int warningTemperatureTime() {
        return i32(WARNING_TEMPERATURE_TIME_OFFSET);
    }

    public SmartHealthLog warningTemperatureTime(final int v) {
        i32(WARNING_TEMPERATURE_TIME_OFFSET, v);
        return this;
    }

    /** Critical Composite Temperature Time, minutes. */
    public int criticalTemperatureTime() {
        return i32(CRITICAL_TEMPERATURE_TIME_OFFSET);
    }

    public SmartHealthLog criticalTemperatureTime(final int v) {
        i32(CRITICAL_TEMPERATURE_TIME_OFFSET, v);
        return this;
    }

    /** Temperature Sensor {@code n} (1..8) in Kelvin; 0 if not implemented. */
    public int temperatureSensor(final int n) {
        return u16(TEMPERATURE_SENSOR_OFFSET + 2 * (Objects.checkIndex(n - 1, 8)));
    }

    public SmartHealthLog temperatureSensor(final int n, final int kelvin) {
        u16(TEMPERATURE_SENSOR_OFFSET + 2 * (Objects.checkIndex(n - 1, 8)), kelvin);
        return this;
    }

    private static int checkCounter(final int fieldOffset) {
        if (fieldOffset < DATA_UNITS_READ_OFFSET || fieldOffset > ERROR_LOG_ENTRIES_OFFSET || (fieldOffset & 15) != 0) {
            throw new IllegalArgumentException("not a u128 counter offset: " + fieldOffset);
        }
        return fieldOffset;
    }
}
