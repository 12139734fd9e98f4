package org.nvmeof4j.protocol.nvme;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class LittleEndianTest
{
    /** fill writes exactly its range, on heap and direct buffers, whatever the length against the zero block. */
    @Property(tries = 300)
    void fillWritesItsRangeAndNothingElse(@ForAll @IntRange(min = 0, max = 9000) final int index,
        @ForAll @IntRange(min = 0, max = 9000) final int length, @ForAll final byte value, @ForAll final boolean direct)
    {
        final int capacity = index + length + 16;
        final ByteBuffer b = direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
        final byte around = (byte)(value ^ 0x5A);
        for (int i = 0; i < capacity; i++)
        {
            b.put(i, around);
        }
        LittleEndian.fill(b, index, length, value);
        for (int i = 0; i < capacity; i++)
        {
            assertThat(b.get(i)).as("byte %d (fill of %d from %d)", i, length, index)
                .isEqualTo(i >= index && i < index + length ? value : around);
        }
        assertThat(b.position()).isZero();
        assertThat(b.limit()).isEqualTo(capacity);
    }
}
